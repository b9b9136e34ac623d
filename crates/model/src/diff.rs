//! Diff: placeholder replaced below.
/// A change.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Change { pub kind: ChangeKind }
/// A change kind.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum ChangeKind { Added }
/// A diff.
#[derive(Clone, Debug, Default, PartialEq, Eq)]
pub struct ModelDiff { pub changes: Vec<Change> }
