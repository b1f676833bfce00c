//! The public register in memory: every right's public facts, found by credit code and by
//! registry number, searched by substring through a unigram and bigram index of each right's
//! search text (as Lucene's CJK analyzer does for Chinese), and the goal's aggregates. It is
//! kept current by applying journal events one at a time, in journal order; nothing here
//! reads storage. No contact data is ever held.

use std::collections::{BTreeMap, HashMap};
use std::sync::Mutex;

use rustc_hash::{FxHashMap, FxHashSet};

use chrono::{NaiveDate, NaiveDateTime};
use roaring::RoaringBitmap;

use super::authorization::{search_text, AuthorizationStatus};
use super::eligibility::Basis;
use super::goal::month_key;
use super::workflow::ApplicationStatus;

mod abnormal;
mod announced_changes;
mod announcements;
mod changes;
mod former_names;
mod index;
pub use abnormal::AbnormalEntry;
pub use announced_changes::{AnnouncedChange, AnnouncedChangeView, FieldChange};
pub use announcements::Announcement;
pub use changes::{ChangeKind, ChangeView, Replay};
pub use former_names::FORMER_NAME_SHOWN_FOR;
use index::{grams, postings_of, Gram};

/// The one enterprise event that changes a holder's public details (an approved 变更). A
/// request, its rejection or a document added to it changes nothing the public sees.
pub const HOLDER_CHANGE: &str = "change";

/// What the public may know of one right and its holder.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct RightFacts {
    pub id: String,
    pub registry_no: String,
    pub enterprise_id: String,
    pub enterprise_name: String,
    pub uscc: String,
    /// The production town's code.
    pub town_code: String,
    pub product_code: String,
    pub basis: Basis,
    pub announcement_no: String,
    pub announcement_date: String,
    pub granted_at: NaiveDateTime,
    pub status: AuthorizationStatus,
    /// When the right entered its status.
    pub status_since: NaiveDateTime,
    /// The certification or collective mark's registration number (trademark bases), which
    /// the label must carry.
    pub trademark_reg_no: Option<String>,
}

impl RightFacts {
    fn order_key(&self) -> (NaiveDateTime, &str) {
        (self.granted_at, &self.registry_no)
    }
}

/// One journal event, as far as the public register cares.
#[derive(Debug, Clone, Copy)]
pub struct Event<'a> {
    pub seq: i64,
    pub entity_type: &'a str,
    pub entity_id: &'a str,
    pub action: &'a str,
    pub from_status: Option<&'a str>,
    pub to_status: Option<&'a str>,
    pub at: NaiveDateTime,
    pub data: Option<&'a str>,
}

/// What the database must supply before an event can be applied.
#[derive(Debug, Clone, PartialEq, Eq, Hash)]
pub enum Need {
    /// The facts of a right this register does not hold yet (a grant).
    Right(String),
    /// The facts of every right of an enterprise whose public details changed.
    Enterprise(String),
}

#[derive(Debug, thiserror::Error, PartialEq, Eq)]
pub enum ApplyError {
    #[error("event {seq}: the facts of right {id} were not supplied")]
    MissingFacts { seq: i64, id: String },
    #[error("event {seq}: `{value}` is not a status")]
    UnknownStatus { seq: i64, value: String },
    #[error("event {seq} comes after {applied}: events must be applied in order")]
    OutOfOrder { seq: i64, applied: i64 },
}

/// The goal's settings as the register holds them.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct GoalSettings {
    pub target: i64,
    pub deadline: NaiveDate,
}

/// The filters of a public search. `text` matches any part of the holder's name, credit code
/// or registry number, case aside (as SQL `LIKE '%text%'` over the upper-cased search text).
#[derive(Debug, Clone, Default)]
pub struct Search<'a> {
    pub text: Option<&'a str>,
    pub product_code: Option<&'a str>,
    pub town_code: Option<&'a str>,
    pub status: Option<AuthorizationStatus>,
}

/// A verdict's material: the holder and the rights the code names.
#[derive(Debug, Clone)]
pub struct Holding<'a> {
    pub enterprise_name: &'a str,
    pub uscc: &'a str,
    /// By registry number.
    pub rights: Vec<&'a RightFacts>,
}

/// The counter's figures (names of products and towns are the caller's business).
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct GoalFigures {
    pub settings: GoalSettings,
    pub authorized_enterprises: i64,
    /// Product code → enterprises with an active right to it, by code.
    pub by_product: Vec<(String, i64)>,
    /// Town code → enterprises with an active right made there, by code.
    pub by_town: Vec<(String, i64)>,
    pub pipeline: [(ApplicationStatus, i64); 4],
    /// `YYYY-MM` → authorized enterprises at the end of that month (now, for this month).
    pub monthly: Vec<(String, i64)>,
}

/// Distinct enterprises per key among active rights: key → enterprise → active rights.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
struct DistinctCount(FxHashMap<String, FxHashMap<String, u32>>);

impl DistinctCount {
    fn add(&mut self, key: &str, enterprise: &str) {
        let enterprises = match self.0.get_mut(key) {
            Some(enterprises) => enterprises,
            None => self.0.entry(key.to_owned()).or_default(),
        };
        match enterprises.get_mut(enterprise) {
            Some(n) => *n += 1,
            None => {
                enterprises.insert(enterprise.to_owned(), 1);
            }
        }
    }

    fn remove(&mut self, key: &str, enterprise: &str) {
        if let Some(enterprises) = self.0.get_mut(key) {
            if let Some(n) = enterprises.get_mut(enterprise) {
                *n -= 1;
                if *n == 0 {
                    enterprises.remove(enterprise);
                }
            }
            if enterprises.is_empty() {
                self.0.remove(key);
            }
        }
    }

    fn sorted(&self) -> Vec<(String, i64)> {
        let mut out: Vec<(String, i64)> = self
            .0
            .iter()
            .map(|(k, v)| (k.clone(), v.len() as i64))
            .collect();
        out.sort();
        out
    }
}

/// The public register. Documents (rights) are numbered by position, positions given in
/// (grant time, registry number) order; pages read the bitmaps from the top, newest first.
#[derive(Debug)]
pub struct PublicRegister {
    rights: Vec<RightFacts>,
    /// Each right's search text (holder, credit code, registry number, upper-cased).
    texts: Vec<String>,
    /// The rights that have entered a status (all public ones).
    granted_docs: RoaringBitmap,
    /// Whether the right at a position has entered a status yet (a right inserted while the
    /// history is replayed waits for its grant event).
    granted: Vec<bool>,
    by_id: FxHashMap<String, u32>,
    by_registry_no: FxHashMap<String, u32>,
    by_uscc: FxHashMap<String, Vec<u32>>,
    /// Enterprises holding or having held a right (a holder's change is seen without a scan).
    holders: FxHashSet<String>,
    /// A holder's name before its last approved renaming, and when it changed (by enterprise).
    former_names: FxHashMap<String, (String, NaiveDateTime)>,
    /// Postings by key; a fast hash, since building touches some four million of them.
    grams: FxHashMap<Gram, RoaringBitmap>,
    by_status: HashMap<AuthorizationStatus, RoaringBitmap>,
    by_product: FxHashMap<String, RoaringBitmap>,
    by_town: FxHashMap<String, RoaringBitmap>,
    active_rights: DistinctCount,
    active_by_product: DistinctCount,
    active_by_town: DistinctCount,
    monthly: BTreeMap<String, i64>,
    pipeline: HashMap<ApplicationStatus, i64>,
    settings: GoalSettings,
    applied_seq: i64,
    /// Bumped whenever a right's search text appears or changes (a grant, a new name): the
    /// checked matches of long queries stay right until then, whatever statuses do.
    text_generation: u64,
    /// Checked matches of queries longer than two characters, by query, at a text
    /// generation; at most [`MEMO_LIMIT`] of them.
    memo: Mutex<HashMap<String, (u64, RoaringBitmap)>>,
    /// The log of public changes in journal order (see `changes.rs`).
    changes: Vec<changes::Change>,
    /// Each position's right's serial number (its place in the order rights arrived).
    serials: Vec<u32>,
    /// Serial number → position.
    position_of_serial: Vec<u32>,
    /// Serial number → its latest entry in `changes`, or `changes::NONE`.
    last_change: Vec<u32>,
    /// The abnormal-use list (see `abnormal.rs`).
    abnormal: abnormal::AbnormalList,
    /// Approved changes of holders' details that name an announcement (see
    /// `announced_changes.rs`), in the order approved.
    announced_changes: Vec<AnnouncedChange>,
}

/// Queries whose checked matches are remembered (each at most one bit per right; most are
/// code prefixes matching a few hundred rights, some hundred bytes each). Sized so that every
/// registry-number prefix of three years of grants (about 3,300) stays: at 1,024 the memo
/// was cleared over and over and each such query rescanned tens of thousands of texts.
const MEMO_LIMIT: usize = 8192;

fn doc(position: usize) -> u32 {
    position as u32
}

fn position(doc: u32) -> usize {
    doc as usize
}

impl PublicRegister {
    /// An empty register whose history starts after `applied_seq`.
    pub fn new(
        settings: GoalSettings,
        pipeline: &[(ApplicationStatus, i64)],
        applied_seq: i64,
    ) -> Self {
        Self {
            rights: Vec::new(),
            texts: Vec::new(),
            granted_docs: RoaringBitmap::new(),
            granted: Vec::new(),
            by_id: FxHashMap::default(),
            by_registry_no: FxHashMap::default(),
            by_uscc: FxHashMap::default(),
            holders: FxHashSet::default(),
            former_names: FxHashMap::default(),
            grams: FxHashMap::default(),
            by_status: HashMap::new(),
            by_product: FxHashMap::default(),
            by_town: FxHashMap::default(),
            active_rights: DistinctCount::default(),
            active_by_product: DistinctCount::default(),
            active_by_town: DistinctCount::default(),
            monthly: BTreeMap::new(),
            pipeline: pipeline.iter().copied().collect(),
            settings,
            applied_seq,
            text_generation: 0,
            memo: Mutex::new(HashMap::new()),
            changes: Vec::new(),
            serials: Vec::new(),
            position_of_serial: Vec::new(),
            last_change: Vec::new(),
            abnormal: abnormal::AbnormalList::default(),
            announced_changes: Vec::new(),
        }
    }

    /// Builds from the rights as stored (any order) and their history in journal order (every
    /// status change, every change of a holder): the same steps as applying the events one by
    /// one, so a rebuild answers, and logs changes, as the incremental path does.
    pub fn build(
        settings: GoalSettings,
        pipeline: &[(ApplicationStatus, i64)],
        applied_seq: i64,
        mut rights: Vec<RightFacts>,
        history: &[Replay],
    ) -> Self {
        let mut register = Self::new(settings, pipeline, applied_seq);
        rights.sort_by(|a, b| a.order_key().cmp(&b.order_key()));
        let texts: Vec<String> = rights
            .iter()
            .map(|r| search_text(&r.enterprise_name, &r.uscc, &r.registry_no))
            .collect();
        // The text postings are most of the work and need nothing else: a second thread makes
        // them while this one places the rights and replays their history.
        let grams = std::thread::scope(|scope| {
            let postings = scope.spawn(|| postings_of(&texts));
            for right in rights {
                register.place(register.rights.len(), right);
            }
            // Positions do not move during a build: a holder's rights are found by position.
            let mut of_holder: FxHashMap<String, Vec<usize>> = FxHashMap::default();
            for (p, r) in register.rights.iter().enumerate() {
                of_holder
                    .entry(r.enterprise_id.clone())
                    .or_default()
                    .push(p);
            }
            for step in history {
                match step {
                    Replay::Status {
                        seq,
                        right_id,
                        status,
                        at,
                    } => {
                        if let Some(p) = register.change_status(right_id, *status, *at) {
                            register.log_status(p, *seq, *at);
                        }
                    }
                    Replay::Holder {
                        seq,
                        enterprise_id,
                        at,
                    } => {
                        for p in of_holder.get(enterprise_id).into_iter().flatten() {
                            register.log_holder(*p, *seq, *at);
                        }
                    }
                }
            }
            // A right without a recorded history (none in a journal kept whole) takes its row,
            // which still holds the stored status.
            for p in 0..register.rights.len() {
                if !register.granted[p] {
                    let r = &register.rights[p];
                    let (id, status, since) = (r.id.clone(), r.status, r.status_since);
                    let _ = register.change_status(&id, status, since);
                }
            }
            postings.join().ok()
        });
        register.grams = grams.unwrap_or_else(|| postings_of(&texts));
        register.texts = texts;
        register
    }

    /// The last journal event this register reflects.
    pub fn applied_seq(&self) -> i64 {
        self.applied_seq
    }

    pub fn len(&self) -> usize {
        self.rights.len()
    }

    pub fn is_empty(&self) -> bool {
        self.rights.is_empty()
    }

    /// What the database must supply before `event` can be applied, if anything.
    pub fn needs(&self, event: &Event<'_>) -> Option<Need> {
        match event.entity_type {
            "authorization" if event.to_status.is_some() => {
                (!self.by_id.contains_key(event.entity_id))
                    .then(|| Need::Right(event.entity_id.to_owned()))
            }
            "enterprise" if event.action == HOLDER_CHANGE => self
                .holders
                .contains(event.entity_id)
                .then(|| Need::Enterprise(event.entity_id.to_owned())),
            _ => None,
        }
    }

    /// Applies one event. `supplied` holds the facts [`Self::needs`] asked for, as stored now
    /// (their status is taken from the event, not from them).
    pub fn apply(
        &mut self,
        event: &Event<'_>,
        supplied: &HashMap<String, RightFacts>,
    ) -> Result<(), ApplyError> {
        if event.seq <= self.applied_seq {
            return Err(ApplyError::OutOfOrder {
                seq: event.seq,
                applied: self.applied_seq,
            });
        }
        let status_of = |value: &str| -> Result<AuthorizationStatus, ApplyError> {
            value.parse().map_err(|_| ApplyError::UnknownStatus {
                seq: event.seq,
                value: value.to_owned(),
            })
        };
        match (event.entity_type, event.to_status) {
            ("authorization", Some(to)) => {
                let status = status_of(to)?;
                if !self.by_id.contains_key(event.entity_id) {
                    let facts = supplied.get(event.entity_id).cloned().ok_or_else(|| {
                        ApplyError::MissingFacts {
                            seq: event.seq,
                            id: event.entity_id.to_owned(),
                        }
                    })?;
                    self.insert(facts);
                }
                if let Some(p) = self.change_status(event.entity_id, status, event.at) {
                    self.log_status(p, event.seq, event.at);
                }
            }
            ("application", Some(to)) => {
                let parse = |v: &str| v.parse::<ApplicationStatus>().ok();
                if let Some(from) = event.from_status.and_then(parse) {
                    *self.pipeline.entry(from).or_default() -= 1;
                }
                if let Some(to) = parse(to) {
                    *self.pipeline.entry(to).or_default() += 1;
                }
            }
            ("enterprise", _) if event.action == HOLDER_CHANGE => {
                if let Some(former) = event
                    .data
                    .and_then(|d| serde_json::from_str::<serde_json::Value>(d).ok())
                    .and_then(|d| d["changes"]["name"]["from"].as_str().map(str::to_owned))
                {
                    self.former_names
                        .insert(event.entity_id.to_owned(), (former, event.at));
                }
                if let Some(change) = AnnouncedChange::of_event(event) {
                    self.record_announced_change(change);
                }
                for facts in supplied
                    .values()
                    .filter(|f| f.enterprise_id == event.entity_id)
                {
                    if let Some(p) = self.refresh_holder(facts) {
                        self.log_holder(p, event.seq, event.at);
                    }
                }
            }
            ("authorization", None) if event.action.starts_with("abnormal_") => {
                self.apply_abnormal(event)
            }
            ("setting", _) if event.entity_id == "goal" => {
                if let Some(data) = event
                    .data
                    .and_then(|d| serde_json::from_str::<serde_json::Value>(d).ok())
                {
                    if let Some(target) = data["target"].as_i64() {
                        self.settings.target = target;
                    }
                    if let Some(deadline) = data["deadline"].as_str().and_then(|d| d.parse().ok()) {
                        self.settings.deadline = deadline;
                    }
                }
            }
            _ => {}
        }
        self.applied_seq = event.seq;
        Ok(())
    }

    /// Puts a right at its place in (grant time, registry number) order. A grant older than
    /// the newest one held (clocks of two replicas, back-dated demo data) lands near the end,
    /// so only the few rights after it move up one position.
    fn insert(&mut self, facts: RightFacts) {
        let key = facts.order_key();
        let place = self
            .rights
            .iter()
            .rposition(|r| r.order_key() <= key)
            .map_or(0, |p| p + 1);
        for p in (place..self.rights.len()).rev() {
            self.move_up(p);
        }
        self.insert_indexed(place, facts);
    }

    /// Moves the right at `p` to `p + 1` in every posting and lookup (`p + 1` is free: the
    /// caller moves from the last down). The memo of long queries is dropped with the text
    /// generation.
    fn move_up(&mut self, p: usize) {
        let (from, to) = (doc(p), doc(p + 1));
        let shift = |bitmap: &mut RoaringBitmap| {
            if bitmap.remove(from) {
                bitmap.insert(to);
            }
        };
        for gram in grams(&self.texts[p]) {
            if let Some(postings) = self.grams.get_mut(&gram) {
                shift(postings);
            }
        }
        let facts = &self.rights[p];
        if let Some(b) = self.by_product.get_mut(&facts.product_code) {
            shift(b);
        }
        if let Some(b) = self.by_town.get_mut(&facts.town_code) {
            shift(b);
        }
        shift(&mut self.granted_docs);
        for b in self.by_status.values_mut() {
            shift(b);
        }
        self.by_id.insert(facts.id.clone(), to);
        self.by_registry_no.insert(facts.registry_no.clone(), to);
        self.position_of_serial[self.serials[p] as usize] = to;
        if let Some(list) = self.by_uscc.get_mut(&facts.uscc) {
            for q in list.iter_mut().filter(|q| **q == from) {
                *q = to;
            }
        }
        self.text_generation += 1;
    }

    /// Adds a right at position `p` (the last, or one the rights after it have moved up
    /// from), indexed, not yet in any status.
    fn insert_indexed(&mut self, p: usize, facts: RightFacts) {
        let text = search_text(&facts.enterprise_name, &facts.uscc, &facts.registry_no);
        for gram in grams(&text) {
            self.grams.entry(gram).or_default().insert(doc(p));
        }
        self.texts.insert(p, text);
        self.place(p, facts);
    }

    /// Everything of [`Self::insert_indexed`] but the search text and its postings.
    fn place(&mut self, p: usize, facts: RightFacts) {
        let d = doc(p);
        self.by_id.insert(facts.id.clone(), p as u32);
        self.by_registry_no
            .insert(facts.registry_no.clone(), p as u32);
        self.by_uscc
            .entry(facts.uscc.clone())
            .or_default()
            .push(p as u32);
        self.holders.insert(facts.enterprise_id.clone());
        self.by_product
            .entry(facts.product_code.clone())
            .or_default()
            .insert(d);
        self.by_town
            .entry(facts.town_code.clone())
            .or_default()
            .insert(d);
        self.rights.insert(p, facts);
        self.text_generation += 1;
        self.granted.insert(p, false);
        self.serials.insert(p, self.position_of_serial.len() as u32);
        self.position_of_serial.push(p as u32);
        self.last_change.push(changes::NONE);
    }

    /// Moves a right into `status`; its position, if the register holds it.
    fn change_status(
        &mut self,
        id: &str,
        status: AuthorizationStatus,
        at: NaiveDateTime,
    ) -> Option<usize> {
        let p = self.by_id.get(id).map(|p| *p as usize)?;
        let d = doc(p);
        let (was, granted) = (self.rights[p].status, self.granted[p]);
        if granted {
            if let Some(set) = self.by_status.get_mut(&was) {
                set.remove(d);
            }
            if was == AuthorizationStatus::Active {
                let r = &self.rights[p];
                self.active_rights.remove("all", &r.enterprise_id);
                self.active_by_product
                    .remove(&r.product_code, &r.enterprise_id);
                self.active_by_town.remove(&r.town_code, &r.enterprise_id);
            }
        }
        let right = &mut self.rights[p];
        right.status = status;
        right.status_since = at;
        self.granted[p] = true;
        self.granted_docs.insert(d);
        self.by_status.entry(status).or_default().insert(d);
        if status == AuthorizationStatus::Active {
            let r = &self.rights[p];
            self.active_rights.add("all", &r.enterprise_id);
            self.active_by_product
                .add(&r.product_code, &r.enterprise_id);
            self.active_by_town.add(&r.town_code, &r.enterprise_id);
        }
        self.monthly
            .insert(month_key(at.date()), self.authorized_enterprises());
        Some(p)
    }

    /// A holder's new name or credit code: its rights are found under the new words.
    fn refresh_holder(&mut self, facts: &RightFacts) -> Option<usize> {
        let p = self.by_id.get(&facts.id).map(|p| *p as usize)?;
        let d = doc(p);
        let old = &self.rights[p];
        for gram in grams(&self.texts[p]) {
            if let Some(set) = self.grams.get_mut(&gram) {
                set.remove(d);
            }
        }
        if old.uscc != facts.uscc {
            let old_uscc = old.uscc.clone();
            if let Some(list) = self.by_uscc.get_mut(&old_uscc) {
                list.retain(|q| *q as usize != p);
                if list.is_empty() {
                    self.by_uscc.remove(&old_uscc);
                }
            }
            self.by_uscc
                .entry(facts.uscc.clone())
                .or_default()
                .push(p as u32);
        }
        let right = &mut self.rights[p];
        right.enterprise_name = facts.enterprise_name.clone();
        right.uscc = facts.uscc.clone();
        let text = search_text(&right.enterprise_name, &right.uscc, &right.registry_no);
        for gram in grams(&text) {
            self.grams.entry(gram).or_default().insert(d);
        }
        self.texts[p] = text;
        self.text_generation += 1;
        Some(p)
    }

    pub fn authorized_enterprises(&self) -> i64 {
        self.active_rights
            .0
            .get("all")
            .map_or(0, |e| e.len() as i64)
    }

    /// A granted right by its id.
    pub fn right(&self, id: &str) -> Option<&RightFacts> {
        let p = *self.by_id.get(id)? as usize;
        self.granted
            .get(p)
            .copied()
            .unwrap_or(false)
            .then(|| &self.rights[p])
    }

    /// The holder a credit code or registry number names (already normalised): by credit code
    /// all its rights, by registry number that one. `None` for a code no right was granted to.
    pub fn holding(&self, code: &str) -> Option<Holding<'_>> {
        let positions: Vec<u32> = match self.by_uscc.get(code) {
            Some(list) => list.clone(),
            None => vec![*self.by_registry_no.get(code)?],
        };
        let mut rights: Vec<&RightFacts> = positions
            .iter()
            .filter(|p| self.granted[**p as usize])
            .map(|p| &self.rights[*p as usize])
            .collect();
        rights.sort_by(|a, b| a.registry_no.cmp(&b.registry_no));
        let first = rights.first()?;
        Some(Holding {
            enterprise_name: &first.enterprise_name,
            uscc: &first.uscc,
            rights,
        })
    }

    /// The counter as of `today`.
    pub fn goal(&self, today: NaiveDate) -> GoalFigures {
        let now_month = month_key(today);
        let mut monthly = Vec::new();
        if let Some(first) = self.monthly.keys().next() {
            let mut month = first.clone();
            let mut last = 0;
            while month <= now_month {
                if let Some(n) = self.monthly.get(&month) {
                    last = *n;
                }
                monthly.push((month.clone(), last));
                month = next_month_key(&month);
            }
        }
        let count = |s| self.pipeline.get(&s).copied().unwrap_or(0);
        use ApplicationStatus as A;
        GoalFigures {
            settings: self.settings,
            authorized_enterprises: self.authorized_enterprises(),
            by_product: self.active_by_product.sorted(),
            by_town: self.active_by_town.sorted(),
            pipeline: [
                (A::Submitted, count(A::Submitted)),
                (A::UnderReview, count(A::UnderReview)),
                (A::Returned, count(A::Returned)),
                (A::Recommended, count(A::Recommended)),
            ],
            monthly,
        }
    }

    /// A rough size of what the register holds, in bytes (for `/metrics` and the docs).
    pub fn approximate_bytes(&self) -> usize {
        let facts: usize = self
            .rights
            .iter()
            .map(|r| {
                std::mem::size_of::<RightFacts>()
                    + r.id.len()
                    + r.registry_no.len()
                    + r.enterprise_id.len()
                    + r.enterprise_name.len()
                    + r.uscc.len()
                    + r.town_code.len()
                    + r.product_code.len()
                    + r.announcement_no.len()
                    + r.announcement_date.len()
                    + r.trademark_reg_no.as_ref().map_or(0, String::len)
            })
            .sum();
        let postings: usize = self
            .grams
            .values()
            .chain(self.by_status.values())
            .chain(self.by_product.values())
            .chain(self.by_town.values())
            .map(|b| b.serialized_size() + 48)
            .sum();
        let texts: usize = self.texts.iter().map(|t| t.len() + 24).sum();
        let lookups = (self.by_id.len() + self.by_registry_no.len() + self.by_uscc.len()) * 64;
        let memo: usize = self.memo.lock().map_or(0, |memo| {
            memo.iter()
                .map(|(q, (_, found))| q.len() + found.serialized_size() + 64)
                .sum()
        });
        facts + texts + postings + lookups + memo + self.change_log_bytes() + self.abnormal.bytes()
    }
}

fn next_month_key(month: &str) -> String {
    let (year, m) = month.split_once('-').unwrap_or((month, "1"));
    let (year, m): (i32, u32) = (year.parse().unwrap_or(0), m.parse().unwrap_or(1));
    if m >= 12 {
        format!("{:04}-01", year + 1)
    } else {
        format!("{year:04}-{:02}", m + 1)
    }
}

#[cfg(test)]
mod tests;
