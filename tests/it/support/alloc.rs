//! The counting global allocator of the test binary (and of the `alloc` bench, which
//! includes this file by path), and [`measure`], which reports what a closure allocated.
//!
//! Tests run in parallel threads of one binary, so the counters are per thread: a test
//! measures only what its own thread allocates, whatever the other tests do meanwhile.
//! They are const-initialised thread-locals without destructors, read with `try_with`, so
//! the allocator never allocates itself and works during thread teardown. The code under
//! test runs on the measuring thread (the parser starts no threads).

// The one place outside `src/scan` with unsafe code: implementing `GlobalAlloc` is unsafe.
#![allow(unsafe_code)]

use std::alloc::{GlobalAlloc, Layout, System};
use std::cell::Cell;

struct Counting;

thread_local! {
    /// Live heap bytes allocated by this thread (minus those it freed).
    static LIVE: Cell<isize> = const { Cell::new(0) };
    /// Highest `LIVE` since [`measure`] reset it.
    static PEAK: Cell<isize> = const { Cell::new(0) };
    /// Allocations and reallocations.
    static COUNT: Cell<usize> = const { Cell::new(0) };
    /// Bytes asked for by those allocations and reallocations (the new size).
    static BYTES: Cell<usize> = const { Cell::new(0) };
    /// Print a backtrace for every allocation inside [`measure`] (see [`trace_from_env`]).
    static TRACE: Cell<bool> = const { Cell::new(false) };
    /// Set while a trace is printed, so that printing does not trace itself.
    static TRACING: Cell<bool> = const { Cell::new(false) };
    /// Set inside [`measure`].
    static MEASURING: Cell<bool> = const { Cell::new(false) };
}

fn note_alloc(size: usize) {
    let _ = LIVE.try_with(|live| {
        let now = live.get() + size as isize;
        live.set(now);
        let _ = PEAK.try_with(|p| p.set(p.get().max(now)));
    });
    let _ = COUNT.try_with(|c| c.set(c.get() + 1));
    let _ = BYTES.try_with(|b| b.set(b.get() + size));
    let on = |c: &'static std::thread::LocalKey<Cell<bool>>| c.try_with(Cell::get).unwrap_or(false);
    if on(&TRACE) && on(&MEASURING) && !on(&TRACING) {
        let _ = TRACING.try_with(|t| t.set(true));
        eprintln!(
            "alloc {size}: {}",
            std::backtrace::Backtrace::force_capture()
        );
        let _ = TRACING.try_with(|t| t.set(false));
    }
}

fn note_free(size: usize) {
    let _ = LIVE.try_with(|live| live.set(live.get() - size as isize));
}

// SAFETY: every method forwards to `System` with the caller's arguments unchanged; the
// bookkeeping only touches thread-local `Cell`s (and, when tracing, prints with the
// tracing flag set so that it does not recurse).
unsafe impl GlobalAlloc for Counting {
    unsafe fn alloc(&self, layout: Layout) -> *mut u8 {
        // SAFETY: the caller's layout, forwarded as is (`GlobalAlloc::alloc` contract).
        let p = unsafe { System.alloc(layout) };
        if !p.is_null() {
            note_alloc(layout.size());
        }
        p
    }

    unsafe fn alloc_zeroed(&self, layout: Layout) -> *mut u8 {
        // SAFETY: the caller's layout, forwarded as is.
        let p = unsafe { System.alloc_zeroed(layout) };
        if !p.is_null() {
            note_alloc(layout.size());
        }
        p
    }

    unsafe fn dealloc(&self, ptr: *mut u8, layout: Layout) {
        // SAFETY: `ptr` came from `System` with this layout (every allocation of this
        // allocator is `System`'s), forwarded as is.
        unsafe { System.dealloc(ptr, layout) };
        note_free(layout.size());
    }

    unsafe fn realloc(&self, ptr: *mut u8, layout: Layout, new_size: usize) -> *mut u8 {
        // SAFETY: as for `dealloc`; `new_size` is the caller's, forwarded as is.
        let p = unsafe { System.realloc(ptr, layout, new_size) };
        if !p.is_null() {
            note_free(layout.size());
            note_alloc(new_size);
        }
        p
    }
}

#[global_allocator]
static ALLOCATOR: Counting = Counting;

/// What the code run by [`measure`] allocated on this thread.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Allocated {
    /// Highest live heap bytes above the level at the start.
    pub peak: usize,
    /// Number of allocations (and reallocations).
    pub count: usize,
    /// Bytes those allocations and reallocations asked for.
    pub bytes: usize,
}

/// Runs `f` and reports what it allocated on this thread.
pub fn measure<R>(f: impl FnOnce() -> R) -> (R, Allocated) {
    let start = LIVE.with(Cell::get);
    PEAK.with(|p| p.set(start));
    let (count0, bytes0) = (COUNT.with(Cell::get), BYTES.with(Cell::get));
    MEASURING.with(|m| m.set(true));
    let r = f();
    MEASURING.with(|m| m.set(false));
    let peak = PEAK.with(Cell::get) - start;
    (
        r,
        Allocated {
            peak: peak.max(0) as usize,
            count: COUNT.with(Cell::get) - count0,
            bytes: BYTES.with(Cell::get) - bytes0,
        },
    )
}

/// Prints a backtrace for every allocation this thread makes inside [`measure`] from now
/// on, if the environment variable `var` is set.
pub fn trace_from_env(var: &str) {
    let on = std::env::var_os(var).is_some();
    TRACE.with(|t| t.set(on));
}

/// Allocations (and reallocations) this thread has made so far.
pub fn allocations() -> usize {
    COUNT.with(Cell::get)
}

/// Live heap bytes this thread has allocated and not freed (0 if it freed more, e.g.
/// memory another thread allocated).
pub fn live() -> usize {
    LIVE.with(Cell::get).max(0) as usize
}

/// Starts a peak measurement on this thread; returns the baseline ([`live`]).
pub fn peak_start() -> usize {
    let now = LIVE.with(Cell::get);
    PEAK.with(|p| p.set(now));
    now.max(0) as usize
}

/// Highest live heap bytes of this thread since [`peak_start`] (or [`measure`]).
pub fn peak() -> usize {
    PEAK.with(Cell::get).max(0) as usize
}
