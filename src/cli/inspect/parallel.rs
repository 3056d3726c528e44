//! Rendering many items on every core while keeping their input order: the items go to the workers in small
//! parts, and the calling thread writes each part's text in order as it comes back (see [`pipeline`]).

pub mod lines;
mod pipeline;

use pipeline::render_parts_in_order;
use std::io::{self, Write};
use std::num::NonZero;

/// Items in one part handed to a worker: enough that handing it over costs nothing next to rendering it,
/// few enough that the cores finish together.
const ITEMS_PER_PART: usize = 64;

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
    let mut starts = (0..items.len()).step_by(ITEMS_PER_PART);
    render_parts_in_order(
        cores(),
        |_| {
            Ok(starts
                .next()
                .map(|start| start..items.len().min(start + ITEMS_PER_PART)))
        },
        |range, text| {
            items
                .get(range.clone())
                .unwrap_or_default()
                .iter()
                .for_each(|item| render(item, text));
            range.len()
        },
        |done| out.write_all(&done.text),
    )
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn output_keeps_the_input_order_across_parts() {
        let items: Vec<usize> = (0..ITEMS_PER_PART * 40 + 7).collect();
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
}
