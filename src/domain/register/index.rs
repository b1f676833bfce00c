//! The search: unigram and bigram postings of each right's search text, and the matching of
//! queries against them (checked, and remembered, for queries longer than two characters).

use roaring::RoaringBitmap;
use rustc_hash::FxHashMap;

use super::{doc, position, PublicRegister, RightFacts, Search, MEMO_LIMIT};

/// Index keys: one character, or two in a row.
pub(super) type Gram = (char, char);
const SOLO: char = '\0';

/// The distinct keys of a text: each character alone and each pair in a row.
pub(super) fn grams(text: &str) -> Vec<Gram> {
    let chars: Vec<char> = text.chars().collect();
    let mut out: Vec<Gram> = chars.iter().map(|c| (*c, SOLO)).collect();
    out.extend(chars.windows(2).map(|w| (w[0], w[1])));
    out.sort_unstable();
    out.dedup();
    out
}

/// The postings of every text at once, text `p` being document `p`: each key's documents are
/// gathered in order, then made into a bitmap in one go (much faster than millions of single
/// inserts into bitmaps).
pub(super) fn postings_of(texts: &[String]) -> FxHashMap<Gram, RoaringBitmap> {
    let mut docs: FxHashMap<Gram, Vec<u32>> = FxHashMap::default();
    for (p, text) in texts.iter().enumerate() {
        for gram in grams(text) {
            docs.entry(gram).or_default().push(doc(p));
        }
    }
    docs.into_iter()
        .map(|(gram, list)| {
            let bitmap = RoaringBitmap::from_sorted_iter(list.iter().copied())
                .unwrap_or_else(|_| list.iter().copied().collect());
            (gram, bitmap)
        })
        .collect()
}

impl PublicRegister {
    /// The rights whose search text contains `text` (upper-cased first), as a set of documents.
    fn containing(&self, text: &str) -> RoaringBitmap {
        let text = text.to_uppercase();
        let chars: Vec<char> = text.chars().collect();
        let keys: Vec<Gram> = match chars.len() {
            0 => return self.all_documents(),
            1 => vec![(chars[0], SOLO)],
            _ => chars.windows(2).map(|w| (w[0], w[1])).collect(),
        };
        let mut sets: Vec<&RoaringBitmap> = Vec::with_capacity(keys.len());
        for key in &keys {
            match self.grams.get(key) {
                Some(set) => sets.push(set),
                None => return RoaringBitmap::new(),
            }
        }
        sets.sort_by_key(|s| s.len());
        let mut found = sets[0].clone();
        for set in &sets[1..] {
            found &= *set;
        }
        if chars.len() > 2 {
            // Every pair present does not make the whole: check the candidates, once per
            // query while no right's text changes (a code prefix can match most rights).
            if let Some(known) = self.remembered(&text) {
                return known;
            }
            found = found
                .iter()
                .filter(|d| self.texts[position(*d)].contains(&text))
                .collect();
            self.remember(text, &found);
        }
        found
    }

    fn remembered(&self, text: &str) -> Option<RoaringBitmap> {
        let memo = self.memo.lock().ok()?;
        memo.get(text)
            .filter(|(generation, _)| *generation == self.text_generation)
            .map(|(_, found)| found.clone())
    }

    fn remember(&self, text: String, found: &RoaringBitmap) {
        if let Ok(mut memo) = self.memo.lock() {
            if memo.len() >= MEMO_LIMIT {
                memo.clear();
            }
            memo.insert(text, (self.text_generation, found.clone()));
        }
    }

    fn all_documents(&self) -> RoaringBitmap {
        self.granted_docs.clone()
    }

    fn matching(&self, search: &Search<'_>) -> RoaringBitmap {
        let empty = RoaringBitmap::new();
        let mut found = match search.status {
            Some(status) => self.by_status.get(&status).cloned().unwrap_or_default(),
            None => self.all_documents(),
        };
        if let Some(product) = search.product_code {
            found &= self.by_product.get(product).unwrap_or(&empty);
        }
        if let Some(town) = search.town_code {
            found &= self.by_town.get(town).unwrap_or(&empty);
        }
        if let Some(text) = search.text.filter(|t| !t.is_empty()) {
            found &= self.containing(text);
        }
        found
    }

    /// One page of the matches, newest grant first (registry number breaking ties), and how
    /// many match in all.
    pub fn search(&self, search: &Search<'_>, offset: u64, limit: u64) -> (Vec<&RightFacts>, u64) {
        let found = self.matching(search);
        let page = found
            .iter()
            .rev()
            .skip(offset as usize)
            .take(limit as usize)
            .map(|d| &self.rights[position(d)])
            .collect();
        (page, found.len())
    }

    /// Every match, in the order of [`Self::search`].
    pub fn search_all(&self, search: &Search<'_>) -> Vec<&RightFacts> {
        self.matching(search)
            .iter()
            .rev()
            .map(|d| &self.rights[position(d)])
            .collect()
    }
}
