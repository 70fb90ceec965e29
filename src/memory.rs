//! Giving freed memory back to the system. The daemon's allocator (mimalloc,
//! set in `main.rs`) keeps freed pages a while for reuse and returns them
//! only when later allocations or frees come by; a thread that has gone
//! idle keeps what it last freed. That is why a password-hashing worker
//! held its last argon2id computation's 19 MiB for as long as the server
//! ran. Callers that know they have just gone idle ask for it back here.

/// Returns the memory mimalloc holds freed (this thread's and the shared
/// arenas', whose pages are purged at once instead of after a delay) to the
/// system. Costs a walk of this thread's heap: call it when going idle,
/// not per request. Harmless where mimalloc is not the global allocator
/// (the tests): its heaps are then empty.
pub fn release_freed() {
    // SAFETY: mi_collect takes a plain flag, touches only mimalloc's own
    // state, and may be called from any thread at any time.
    unsafe { libmimalloc_sys::mi_collect(true) }
}
