//! Pinned slots: a self-referential future polled to completion in a slot, a `!Unpin` value
//! that checks in `Drop` that it never moved, and the drop guarantee when a direct slab is
//! dropped with a forgotten pinned slot.

use nexus_slab::bounded::BoundedSlab;
use nexus_slab::create_allocator;
use std::cell::Cell;
use std::future::Future;
use std::marker::PhantomPinned;
use std::pin::Pin;
use std::ptr::NonNull;
use std::rc::Rc;
use std::task::{Context, Poll, Waker};

/// A future that writes one byte per poll and keeps a pointer into itself to the next byte to
/// write; each poll checks the pointer still names that byte (a move would leave it pointing
/// at the old place).
struct SelfRef {
    buf: [u8; 16],
    next: Option<NonNull<u8>>,
    written: usize,
    until: usize,
    _pin: PhantomPinned,
}

impl SelfRef {
    fn new(until: usize) -> SelfRef {
        SelfRef {
            buf: [0; 16],
            next: None,
            written: 0,
            until,
            _pin: PhantomPinned,
        }
    }
}

impl Future for SelfRef {
    type Output = [u8; 16];
    fn poll(self: Pin<&mut Self>, cx: &mut Context<'_>) -> Poll<[u8; 16]> {
        // SAFETY: nothing is moved out; the fields are written in place.
        let this = unsafe { self.get_unchecked_mut() };
        let at = this.written;
        if let Some(next) = this.next {
            assert_eq!(
                next,
                NonNull::from(&mut this.buf[at]),
                "moved between polls"
            );
        }
        this.buf[at] = b'a' + at as u8;
        this.written += 1;
        if this.written == this.until {
            return Poll::Ready(this.buf);
        }
        this.next = Some(NonNull::from(&mut this.buf[this.written]));
        cx.waker().wake_by_ref();
        Poll::Pending
    }
}

create_allocator!(futures, SelfRef);

#[test]
fn a_self_referential_future_is_polled_to_completion_in_a_pinned_slot() {
    futures::init().bounded(4).build();
    let mut fut = futures::insert(SelfRef::new(4)).into_pin();
    let mut cx = Context::from_waker(Waker::noop());
    let mut polls = 0;
    let out = loop {
        polls += 1;
        // Other slots come and go between polls; the pinned one stays where it is.
        drop(futures::insert(SelfRef::new(1)));
        if let Poll::Ready(v) = fut.as_mut().poll(&mut cx) {
            break v;
        }
    };
    assert_eq!(polls, 4);
    assert_eq!(&out[..4], b"abcd");
    drop(fut);
    assert_eq!(futures::len(), 0);
}

/// Remembers its address when first pinned and checks it in `Drop`.
struct Anchored {
    home: Cell<usize>,
    checked: Rc<Cell<u32>>,
    _pin: PhantomPinned,
}

impl Anchored {
    fn settle(self: Pin<&Self>) {
        self.home.set(&*self as *const Anchored as usize);
    }
}

impl Drop for Anchored {
    fn drop(&mut self) {
        assert_eq!(
            self.home.get(),
            self as *const Anchored as usize,
            "moved while pinned"
        );
        self.checked.set(self.checked.get() + 1);
    }
}

#[test]
fn a_pinned_value_is_dropped_where_it_was_pinned() {
    let checked = Rc::new(Cell::new(0));
    let slab = BoundedSlab::with_capacity(16);
    let pinned: Vec<Pin<_>> = (0..8)
        .map(|_| {
            let p = slab
                .insert(Anchored {
                    home: Cell::new(0),
                    checked: checked.clone(),
                    _pin: PhantomPinned,
                })
                .into_pin();
            p.as_ref().settle();
            p
        })
        .collect();
    drop(pinned);
    assert_eq!(checked.get(), 8);
}

#[test]
fn a_forgotten_pinned_slot_is_dropped_in_place_with_its_slab() {
    let checked = Rc::new(Cell::new(0));
    {
        let slab = BoundedSlab::with_capacity(4);
        let p = slab
            .insert(Anchored {
                home: Cell::new(0),
                checked: checked.clone(),
                _pin: PhantomPinned,
            })
            .into_pin();
        p.as_ref().settle();
        // The handle is forgotten: the Pin guarantee still needs the destructor to run
        // before the memory goes, which the slab's drop does.
        std::mem::forget(p);
        assert_eq!(checked.get(), 0);
    }
    assert_eq!(checked.get(), 1);
}
