//! [`finish_on_unwind`]: run a clean-up pass, and if a user `Drop` inside it panics, run it
//! again on what is left (a second panic aborts, as when a `Vec` drops its elements).

/// Runs `pass(target)`; if it unwinds, runs `pass` once more before the panic continues, so
/// the values after the one whose `Drop` panicked are still dropped.
pub(crate) fn finish_on_unwind<T: ?Sized>(target: &mut T, pass: impl Fn(&mut T)) {
    /// Runs the pass again when dropped during unwinding.
    struct Again<'a, T: ?Sized, F: Fn(&mut T)>(&'a mut T, F);
    impl<T: ?Sized, F: Fn(&mut T)> Drop for Again<'_, T, F> {
        fn drop(&mut self) {
            (self.1)(self.0);
        }
    }
    let again = Again(target, pass);
    (again.1)(again.0);
    core::mem::forget(again);
}
