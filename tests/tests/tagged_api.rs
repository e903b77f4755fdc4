//! `TaggedHiSlab` through the public API only: all of HiSlab's methods are there. (The
//! model test of tag state lives beside the type, in the crate, where Miri runs it too.)

use nexus_slab::TaggedHiSlab;

#[test]
fn hislab_api_is_all_there() {
    let mut slab = TaggedHiSlab::new(0, 16).unwrap();
    let a = slab.insert(String::from("a"));
    let b = slab.insert_tagged(String::from("b"));
    slab[a].push('!');
    assert_eq!(&slab[a], "a!");
    assert!(slab.is_occupied(b) && !slab.is_occupied(5));
    assert_eq!(slab.capacity(), 16);
    assert!(!slab.is_empty());
    // SAFETY: `a` is occupied.
    assert_eq!(unsafe { slab.get_unchecked(a) }, "a!");
    // SAFETY: `b` is occupied.
    unsafe { slab.get_unchecked_mut(b) }.push('?');
    for (_, v) in &mut slab {
        v.push('.');
    }
    let all: Vec<(u32, &String)> = (&slab).into_iter().collect();
    assert_eq!(all.len(), 2);
    assert_eq!(slab.iter_mut().count(), 2);
    let mut seen = 0;
    slab.for_each_occupied(|_, _| seen += 1);
    assert_eq!(seen, 2);
    assert_eq!(slab.get_mut(b).map(|s| s.as_str()), Some("b?."));
    assert_eq!(slab.as_hislab().len(), 2);
    let r = std::panic::catch_unwind(|| {
        let slab = TaggedHiSlab::<u8>::new(0, 4).unwrap();
        slab[3]
    });
    assert!(r.is_err());
}
