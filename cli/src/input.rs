//! Placement ids and bids from arguments and files, checked before anything is sent.

use crate::args::{BidChange, PlacementChange};
use crate::context::Context;
use crate::failure::Failure;

/// The placements given as arguments, then those of `--file`.
pub fn placements(context: &Context, change: &PlacementChange) -> Result<Vec<i64>, Failure> {
    let mut ids = change.placements.clone();
    if let Some(path) = &change.file {
        let text = context.read_input(path, "--file")?;
        for (number, line) in lines(&text) {
            for word in line
                .split(|c: char| c == ',' || c.is_whitespace())
                .filter(|w| !w.is_empty())
            {
                ids.push(word.parse().map_err(|_| {
                    Failure::usage(format!(
                        "{} line {number}: {word:?} is not a placement id; give whole numbers separated by spaces, commas or lines",
                        path.display()
                    ))
                })?);
            }
        }
    }
    Ok(ids)
}

/// The bids given as arguments, then those of `--file`.
pub fn bids(context: &Context, change: &BidChange) -> Result<Vec<(i64, f64)>, Failure> {
    let mut bids = Vec::new();
    for argument in &change.bids {
        bids.push(bid(argument).ok_or_else(|| {
            Failure::usage(format!(
                "{argument:?} is not a bid; write PLACEMENT=PRICE, such as 15413270=0.35"
            ))
        })?);
    }
    if let Some(path) = &change.file {
        let text = context.read_input(path, "--file")?;
        for (number, line) in lines(&text) {
            bids.push(bid(line).ok_or_else(|| {
                Failure::usage(format!(
                    "{} line {number}: {line:?} is not a bid; write PLACEMENT=PRICE or PLACEMENT,PRICE per line",
                    path.display()
                ))
            })?);
        }
    }
    Ok(bids)
}

/// `PLACEMENT=PRICE` or `PLACEMENT,PRICE`.
fn bid(text: &str) -> Option<(i64, f64)> {
    let (placement, price) = text.split_once(['=', ','])?;
    Some((placement.trim().parse().ok()?, price.trim().parse().ok()?))
}

/// Numbered lines without comments, skipping blank ones.
fn lines(text: &str) -> impl Iterator<Item = (usize, &str)> {
    text.lines().enumerate().filter_map(|(index, line)| {
        let line = line.split('#').next().unwrap_or_default().trim();
        (!line.is_empty()).then_some((index + 1, line))
    })
}
