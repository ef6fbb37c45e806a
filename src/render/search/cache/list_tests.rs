//! The token lists of the search cache: encoded, patched, filed and read
//! back (no site involved).

use super::super::vocab::{encode_codes, push_entry_code};
use super::*;
use std::collections::BTreeMap;

fn encode(list: &[(u32, u8)]) -> Vec<u8> {
    let mut out = Vec::new();
    let mut prev = 0;
    for &(tid, e) in list {
        push_entry_code(&mut out, tid - prev, e);
        prev = tid;
    }
    out
}

#[test]
fn search_cache_token_lists_round_trip() {
    let list = vec![
        (0, 9),
        (1, 1),
        (127, 255),
        (128, 0),
        (300_000, 24),
        (u32::MAX, 8),
    ];
    assert_eq!(decode(&encode(&list)).collect::<Vec<_>>(), list);
    assert_eq!(decode(&encode(&[])).count(), 0);
}

#[test]
fn search_cache_patched_postings_keep_their_cost() {
    let mut tok = Tok::new("灭蚊".into());
    // Inserts, changes and removals at the front, middle and end,
    // across digit-count boundaries of the codes.
    let steps: &[(u32, Option<u8>)] = &[
        (5, Some(24)),
        (0, Some(1)),
        (1000, Some(8)),
        (40, Some(255)),
        (39, Some(9)),
        (5, Some(2)),
        (0, None),
        (40, None),
        (7, None),
        (1000, None),
        (3, Some(8)),
        (5, None),
        (39, None),
        (3, None),
        (3, None),
        (9, Some(4)),
    ];
    for &(id, e) in steps {
        tok.set(id, e);
        let ids: Vec<u32> = tok.ids().collect();
        assert!(ids.windows(2).all(|w| w[0] >> 8 < w[1] >> 8));
        let cost = if ids.is_empty() {
            0
        } else {
            super::super::format::token_cost(&tok.text, tok.codes())
        };
        assert_eq!(tok.cost(), cost, "after {id} {e:?}");
    }
    assert_eq!(tok.ids().collect::<Vec<_>>(), vec![(9 << 8) | 4]);
}

#[test]
fn search_cache_postings_follow_random_changes() {
    let mut x = 0x9e37_79b9u32;
    let mut next = move |n: u32| {
        x ^= x << 13;
        x ^= x >> 17;
        x ^= x << 5;
        x % n
    };
    let mut tok = Tok::new("x".into());
    let mut model: BTreeMap<u32, u8> = BTreeMap::new();
    for round in 0..300 {
        // Ids across one-, two- and three-byte differences; every entry.
        let span = [50, 3000, 1 << 20][round % 3];
        let mut changes: BTreeMap<u32, Option<u8>> = BTreeMap::new();
        for _ in 0..=next(12) {
            let id = next(span);
            let e = (next(4) > 0).then(|| next(256) as u8);
            changes.insert(id, e);
        }
        let before = model.clone();
        for (&id, &e) in &changes {
            match e {
                Some(e) => model.insert(id, e),
                None => model.remove(&id),
            };
        }
        let list: Vec<(u32, Option<u8>)> = changes.into_iter().collect();
        assert_eq!(tok.apply(&list), before != model, "round {round}");
        let want: Vec<u32> = model
            .iter()
            .map(|(&id, &e)| (id << 8) | u32::from(e))
            .collect();
        assert_eq!(tok.ids().collect::<Vec<_>>(), want, "round {round}");
        let mut prev = 0;
        let codes = want.iter().map(|&c| {
            let code = c - (prev << 8);
            prev = c >> 8;
            code
        });
        assert_eq!(*tok.postings, *encode_codes(codes), "round {round}");
    }
}

#[test]
fn search_cache_token_lists_file_reads_back_and_compacts() {
    let list = |n: u32| -> Box<[u8]> {
        let tokens: Vec<(u32, u8)> = (0..200_000).map(|t| (t * 3 + n, (t % 251) as u8)).collect();
        encode(&tokens).into_boxed_slice()
    };
    let mut lists = Lists::default();
    let doc = |tokens| Doc {
        key: 1,
        meta: 2,
        text_hash: 3,
        tokens,
        src: 0,
        row: (0, 0),
        row_hash: 4,
        row_cost: 5,
    };
    let mut docs = vec![doc(lists.put(list(0))), doc(lists.put(list(1)))];
    // Lists written over and over, as after many edits: the file grows
    // past twice the live lists and the slack, then is made again.
    for n in 2..80 {
        docs[1].tokens = lists.put(list(n));
        lists.compact(&mut docs).unwrap();
        assert_eq!(*lists.get(&docs[0].tokens).unwrap(), *list(0), "after {n}");
        assert_eq!(*lists.get(&docs[1].tokens).unwrap(), *list(n), "after {n}");
    }
    let live: usize = docs
        .iter()
        .map(|d| lists.get(&d.tokens).unwrap().len())
        .sum();
    let written = 80 * list(0).len() as u64;
    assert!(
        lists.end() <= 2 * live as u64 + (16 << 20),
        "{}",
        lists.end()
    );
    assert!(
        lists.end() < written / 2,
        "never compacted: {}",
        lists.end()
    );
    assert!(docs.iter().all(|d| d.tokens.held() == 0));
}
