//! Measures for backup policies: how long a set of schedules can go without a backup
//! ([`gap`]), and how far back the snapshots that a retention policy keeps reach ([`restic`] for
//! restic's `forget`, which Stash runs; [`kubestash`] for KubeStash's RetentionPolicy; [`stash`]
//! for how Stash turns its RetentionPolicy into `forget` flags).
//!
//! A policy check ("no gap longer than 1h", "restore depth at least 30d") needs numbers that
//! hold for every day of the year, not for the week `explain` previews: a monthly schedule's gap
//! is 31 days in some months and 28 in others, and a retention policy's depth dips just after
//! a month's snapshot falls out. So each measure walks a fixed reference stretch of UTC time,
//! [`CYCLE_START`] to [`CYCLE_END`] (2028 to 2031: a leap day, and every month starting on
//! several weekdays), and reports its extreme there together with where it happens, so a
//! message can say when.
//!
//! The measures are pure: schedules come in parsed (`engine::calendar::Schedule`; a schedule
//! that does not parse is the caller's finding), and every outcome is a typed value. They sit
//! beside the pipeline (layer 5) because the check that uses them reads both families'
//! objects; the family-specific readings are named as such (`stash`, `kubestash`).
//! `docs/policy.md` ("Measures") explains them with the evidence and the numbers of the tables.

pub(crate) mod check;
pub mod gap;
pub mod kubestash;
pub mod restic;
pub mod stash;

/// 2028-01-01T00:00:00Z, the start of the reference cycle.
pub const CYCLE_START: i64 = 1_830_297_600;
/// 2032-01-01T00:00:00Z, the end of the reference cycle (four years, one leap day).
pub const CYCLE_END: i64 = 1_956_528_000;

/// A stretch between two instants (Unix seconds, UTC): from one backup to the next for a gap,
/// from the oldest kept snapshot to the prune for a depth.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct Span {
    /// Where it starts.
    pub from: i64,
    /// Where it ends.
    pub to: i64,
}

impl Span {
    /// Its length in seconds.
    pub fn seconds(&self) -> i64 {
        self.to - self.from
    }
}

/// How far back a retention policy lets one restore, in steady state, at its shallowest: just
/// after a prune, the age of the oldest snapshot left.
#[derive(Clone, Debug, PartialEq, Eq)]
pub enum Depth {
    /// At its shallowest: from the oldest snapshot kept to the prune that left it oldest.
    Bounded(Span),
    /// Nothing is ever removed (restic keeps everything for an empty policy or an unlimited
    /// rule; Stash's `dryRun` prunes nothing), so the depth grows without end.
    Unbounded,
    /// It cannot be known offline, and why.
    Unknown(Unknowable),
}

/// Why a depth cannot be measured.
#[derive(Clone, Debug, PartialEq, Eq)]
pub enum Unknowable {
    /// restic's `--keep-tag` keeps the snapshots that carry a tag, and which do is decided at
    /// backup time, not in the objects.
    KeepTags,
    /// The schedules never fire, so there is no snapshot to keep.
    NeverFires,
    /// Reaching a steady state would take more backups than a check should simulate: so many
    /// (counted over the warm-up and the cycle).
    TooManyBackups(u64),
    /// A KubeStash RetentionPolicy names no count of successful snapshots (and, without
    /// `successfulSnapshots`, no `maxRetentionPeriod` either): what KubeStash then keeps is
    /// undocumented.
    NoCount,
    /// A KubeStash count below zero: its meaning is undocumented.
    NegativeCount,
    /// A KubeStash `maxRetentionPeriod` below zero (its parser takes `-1d`): every snapshot
    /// would be older than it.
    NegativePeriod,
    /// The retention policy is an object the input does not hold (what it is).
    NotInInput(String),
    /// A `maxRetentionPeriod` KubeStash's parser refuses (as written).
    UnreadablePeriod(String),
}

impl Depth {
    /// Its place in the order of depths: an unknown depth below every bound, a longer bound
    /// above a shorter one, unbounded above all.
    pub fn rank(&self) -> (u8, i64) {
        match self {
            Depth::Unknown(_) => (0, 0),
            Depth::Bounded(span) => (1, span.seconds()),
            Depth::Unbounded => (2, 0),
        }
    }

    /// The deepest of several backups' depths, as the policy check takes it over the backups
    /// of one target: unbounded beats any bound, a longer bound beats a shorter one, and an
    /// unknown depth is no evidence of depth, so it counts only when nothing else is known.
    pub fn deepest(self, other: Depth) -> Depth {
        if other.rank() > self.rank() {
            other
        } else {
            self
        }
    }
}
