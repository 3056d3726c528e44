//! Rendering many items on every core while keeping their input order: blocks of items are split into one
//! contiguous part per core (`std::thread::scope`), and while the cores render a block, the calling thread
//! writes the text of the block before it (and, for `--lines`, reads the next one). Buffers are reused from
//! block to block.

pub mod lines;

use std::io::{self, Write};
use std::num::NonZero;

/// Items per core in one block: large enough that starting threads costs nothing, small enough that the
/// rendered text of a block stays a few MiB.
const ITEMS_PER_CORE: usize = 2048;

/// The number of threads that render.
pub fn cores() -> usize {
    std::thread::available_parallelism().map_or(1, NonZero::get)
}

/// Calls `render` on every item, on all cores, and writes what it appended to `out` in input order.
pub fn render_in_order<T: Sync>(
    items: &[T],
    render: impl Fn(&T, &mut Vec<u8>) + Sync,
    out: &mut impl Write,
) -> io::Result<()> {
    let cores = cores();
    let render_chunk = |(chunk, mut text): (&[T], Vec<u8>)| {
        text.clear();
        for item in chunk {
            render(item, &mut text);
        }
        text
    };
    let mut rendered: Vec<Vec<u8>> = Vec::new();
    let mut spare: Vec<Vec<u8>> = Vec::new();
    for block in items.chunks(cores * ITEMS_PER_CORE) {
        let parts = block
            .chunks(block.len().div_ceil(cores))
            .map(|chunk| (chunk, spare.pop().unwrap_or_default()))
            .collect();
        let (texts, written) = on_every_core(parts, &render_chunk, || write_texts(&rendered, out));
        written?;
        spare = std::mem::replace(&mut rendered, texts);
    }
    write_texts(&rendered, out)
}

/// Writes texts in order.
pub fn write_texts(texts: &[Vec<u8>], out: &mut impl Write) -> io::Result<()> {
    texts.iter().try_for_each(|text| out.write_all(text))
}

/// `job` on every part, each on a thread of its own, while `meanwhile` runs on the calling thread; the
/// results in the order of the parts. A single part is done on the calling thread.
pub fn on_every_core<P: Send, O: Send, R>(
    mut parts: Vec<P>,
    job: &(impl Fn(P) -> O + Sync),
    meanwhile: impl FnOnce() -> R,
) -> (Vec<O>, R) {
    if parts.len() < 2 {
        let done = meanwhile();
        return (parts.pop().map(job).into_iter().collect(), done);
    }
    std::thread::scope(|scope| {
        let workers: Vec<_> = parts.into_iter().map(|part| scope.spawn(move || job(part))).collect();
        let done = meanwhile();
        let results = workers
            .into_iter()
            .map(|worker| worker.join().unwrap_or_else(|panic| std::panic::resume_unwind(panic)))
            .collect();
        (results, done)
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn output_keeps_the_input_order_across_blocks_and_chunks() {
        let items: Vec<usize> = (0..3 * ITEMS_PER_CORE * 4 + 7).collect();
        let mut out = Vec::new();
        render_in_order(
            &items,
            |n, text| text.extend_from_slice(format!("{n}\n").as_bytes()),
            &mut out,
        )
        .unwrap();
        let expected: String = items.iter().map(|n| format!("{n}\n")).collect();
        assert_eq!(String::from_utf8(out).unwrap(), expected);
    }

    #[test]
    fn every_part_is_done_once_in_order_and_meanwhile_runs() {
        for count in [0, 1, 2, 5] {
            let parts: Vec<usize> = (0..count).collect();
            let (doubled, done) = on_every_core(parts, &|n| n * 2, || "done");
            assert_eq!(doubled, (0..count).map(|n| n * 2).collect::<Vec<_>>());
            assert_eq!(done, "done");
        }
    }
}
