//! Many sessions recording at once, with a collector harvesting meanwhile:
//! every sample must come out exactly once, in its own second.

use std::collections::BTreeMap;
use std::sync::atomic::{AtomicBool, Ordering};
use std::thread;
use std::time::Duration;

use onslaught_metrics::{ErrorKind, Outcome, Recorder, Sample, Slice, Timeline};

const THREADS: u64 = 4;
const SAMPLES_PER_THREAD: u64 = 20_000;
const SECONDS: u64 = 10;

/// The sample a given thread records at step `n`: spread over seconds, with
/// neighbouring steps sometimes stepping back a second.
fn sample(thread: u64, n: u64) -> Sample {
    let second = (n * SECONDS / SAMPLES_PER_THREAD).saturating_sub(n % 3 / 2);
    let outcome = match (thread + n) % 10 {
        0 => Outcome::Error(ErrorKind::Timeout),
        1 | 2 => Outcome::Status(500),
        _ => Outcome::Status(200),
    };
    Sample {
        late: n.is_multiple_of(4),
        retry: n.is_multiple_of(9),
        ..Sample::new(second as u32, outcome, 100 + (n * 37 + thread) % 50_000)
    }
}

/// The timeline the recorder must produce, built on one thread.
fn expected() -> Timeline {
    let mut seconds: BTreeMap<u32, Slice> = BTreeMap::new();
    for thread in 0..THREADS {
        for n in 0..SAMPLES_PER_THREAD {
            let sample = sample(thread, n);
            seconds.entry(sample.second).or_default().record(&sample);
        }
    }
    seconds.into_iter().collect()
}

#[test]
fn concurrent_recording_then_harvest_all_is_exact() {
    let recorder = Recorder::new(3);
    thread::scope(|scope| {
        for thread in 0..THREADS {
            let recorder = &recorder;
            scope.spawn(move || {
                for n in 0..SAMPLES_PER_THREAD {
                    recorder.record(thread as usize, sample(thread, n));
                }
            });
        }
    });

    let harvested: Timeline = recorder.harvest_all().into_iter().collect();
    assert_eq!(harvested.totals().requests(), THREADS * SAMPLES_PER_THREAD);
    assert_eq!(harvested, expected());
}

#[test]
fn harvesting_while_recording_loses_nothing() {
    let recorder = Recorder::new(2);
    let done = AtomicBool::new(false);
    let mut collected = Timeline::new();

    thread::scope(|scope| {
        let writers: Vec<_> = (0..THREADS)
            .map(|thread| {
                let recorder = &recorder;
                scope.spawn(move || {
                    for n in 0..SAMPLES_PER_THREAD {
                        recorder.record(thread as usize, sample(thread, n));
                    }
                })
            })
            .collect();

        // The collector walks its boundary forward, like the once-a-second task.
        let collector = scope.spawn(|| {
            let mut partial = Timeline::new();
            let mut boundary = 0;
            while !done.load(Ordering::Acquire) {
                boundary = (boundary + 1) % (SECONDS as u32 + 2);
                partial.extend(recorder.harvest(boundary));
                thread::sleep(Duration::from_millis(2));
            }
            partial
        });

        for writer in writers {
            writer.join().unwrap();
        }
        done.store(true, Ordering::Release);
        collected = collector.join().unwrap();
    });
    collected.extend(recorder.harvest_all());

    assert_eq!(collected.totals().requests(), THREADS * SAMPLES_PER_THREAD);
    assert_eq!(collected, expected());
}
