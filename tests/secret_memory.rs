//! A dropped `Secret` leaves zeros behind, not the credential: an allocator that looks at the
//! secret's buffer as it is freed. Its own test binary, since the allocator is process-wide.

use std::alloc::{GlobalAlloc, Layout, System};
use std::sync::atomic::{AtomicU8, AtomicUsize, Ordering};
use switchboard_core::secret::Secret;

/// The address of the buffer to look at when it is freed (0: none).
static WATCHED: AtomicUsize = AtomicUsize::new(0);
/// 0: not freed yet, 1: freed holding only zeros, 2: freed holding something else.
static FREED: AtomicU8 = AtomicU8::new(0);

struct Inspecting;

unsafe impl GlobalAlloc for Inspecting {
    unsafe fn alloc(&self, layout: Layout) -> *mut u8 {
        unsafe { System.alloc(layout) }
    }

    unsafe fn dealloc(&self, pointer: *mut u8, layout: Layout) {
        if pointer as usize == WATCHED.load(Ordering::SeqCst) {
            // Still allocated here: reading it is sound.
            let bytes = unsafe { std::slice::from_raw_parts(pointer, layout.size()) };
            FREED.store(if bytes.iter().all(|b| *b == 0) { 1 } else { 2 }, Ordering::SeqCst);
        }
        unsafe { System.dealloc(pointer, layout) }
    }
}

#[global_allocator]
static ALLOCATOR: Inspecting = Inspecting;

#[test]
fn a_dropped_secret_is_wiped_before_its_memory_is_freed() {
    let secret = Secret::new(String::from("correct horse battery staple"));
    WATCHED.store(secret.expose().as_ptr() as usize, Ordering::SeqCst);
    drop(secret);
    WATCHED.store(0, Ordering::SeqCst);
    assert_eq!(FREED.load(Ordering::SeqCst), 1, "the secret's bytes were still in memory when it was freed");
}
