//! Proves that `Recorder::record` allocates nothing once warmed up.
//!
//! A counting global allocator counts per thread, so tests running in
//! parallel in this binary cannot disturb each other's counts.

use std::alloc::{GlobalAlloc, Layout, System};
use std::cell::Cell;

use onslaught_metrics::{ErrorKind, Outcome, Recorder, Sample};

struct CountingAllocator;

thread_local! {
    static ALLOCATIONS: Cell<u64> = const { Cell::new(0) };
}

unsafe impl GlobalAlloc for CountingAllocator {
    unsafe fn alloc(&self, layout: Layout) -> *mut u8 {
        ALLOCATIONS.with(|count| count.set(count.get() + 1));
        System.alloc(layout)
    }

    unsafe fn dealloc(&self, ptr: *mut u8, layout: Layout) {
        System.dealloc(ptr, layout)
    }

    unsafe fn realloc(&self, ptr: *mut u8, layout: Layout, new_size: usize) -> *mut u8 {
        ALLOCATIONS.with(|count| count.set(count.get() + 1));
        System.realloc(ptr, layout, new_size)
    }
}

#[global_allocator]
static GLOBAL: CountingAllocator = CountingAllocator;

fn allocations() -> u64 {
    ALLOCATIONS.with(Cell::get)
}

const OUTCOMES: [Outcome; 3] = [
    Outcome::Status(200),
    Outcome::Status(503),
    Outcome::Error(ErrorKind::Timeout),
];

/// Records a second's worth of samples on every shard, one second late
/// sample included, the way the engine does.
fn record_second(recorder: &Recorder, second: u32) {
    for n in 0..3_000u64 {
        let sample = Sample {
            late: n % 5 == 0,
            retry: n % 7 == 0,
            ..Sample::new(second, OUTCOMES[(n % 3) as usize], n * 997 % 5_000_000)
        };
        recorder.record(n as usize, sample);
    }
    recorder.record(0, Sample::new(second.saturating_sub(1), OUTCOMES[0], 10));
}

#[test]
fn record_does_not_allocate_in_steady_state() {
    let recorder = Recorder::new(4);

    // Warm-up: every shard meets every outcome and learns to keep two
    // seconds open at once (the current one and a straggler).
    for second in 0..3 {
        record_second(&recorder, second);
        recorder.harvest(second);
    }

    for second in 3..8 {
        let before = allocations();
        record_second(&recorder, second);
        let during = allocations() - before;
        assert_eq!(
            during, 0,
            "record allocated {during} times in second {second}"
        );

        // Harvesting may allocate; it runs once a second on the collector.
        let harvested = recorder.harvest(second);
        assert!(!harvested.is_empty());
    }
}

#[test]
fn the_counter_sees_allocations() {
    // Guards the test above against a counter that never counts.
    let before = allocations();
    let recorder = Recorder::new(1);
    recorder.record(0, Sample::new(0, OUTCOMES[0], 1));
    assert!(allocations() > before);
}
