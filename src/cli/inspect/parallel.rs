//! Rendering many items on every core while keeping their input order: blocks of items are split into one
//! contiguous chunk per core (`std::thread::scope`), and each block's text is written before the next starts.

use std::io::{self, Write};
use std::num::NonZero;

/// Items per core in one block: large enough that starting threads costs nothing, small enough that the
/// rendered text of a block stays a few MiB.
const ITEMS_PER_CORE: usize = 2048;

/// Calls `render` on every item, on all cores, and writes what it appended to `out` in input order.
pub fn render_in_order<T: Sync>(
    items: &[T],
    render: impl Fn(&T, &mut String) + Sync,
    out: &mut impl Write,
) -> io::Result<()> {
    let cores = std::thread::available_parallelism().map_or(1, NonZero::get);
    for block in items.chunks(cores * ITEMS_PER_CORE) {
        for text in render_block(block, cores, &render) {
            out.write_all(text.as_bytes())?;
        }
    }
    Ok(())
}

/// One text per chunk of `block`, in order.
fn render_block<T: Sync>(block: &[T], cores: usize, render: &(impl Fn(&T, &mut String) + Sync)) -> Vec<String> {
    let render_chunk = |chunk: &[T]| {
        let mut text = String::new();
        for item in chunk {
            render(item, &mut text);
        }
        text
    };
    if cores == 1 || block.len() < 2 {
        return vec![render_chunk(block)];
    }
    std::thread::scope(|scope| {
        let workers: Vec<_> = block
            .chunks(block.len().div_ceil(cores))
            .map(|chunk| scope.spawn(move || render_chunk(chunk)))
            .collect();
        workers
            .into_iter()
            .map(|worker| worker.join().unwrap_or_else(|panic| std::panic::resume_unwind(panic)))
            .collect()
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn output_keeps_the_input_order_across_blocks_and_chunks() {
        let items: Vec<usize> = (0..3 * ITEMS_PER_CORE * 4 + 7).collect();
        let mut out = Vec::new();
        render_in_order(&items, |n, text| text.push_str(&format!("{n}\n")), &mut out).unwrap();
        let expected: String = items.iter().map(|n| format!("{n}\n")).collect();
        assert_eq!(String::from_utf8(out).unwrap(), expected);
    }
}
