//! What a family sees of reconciliation: where it proposes objects, reports findings, and tells
//! a preview how its targets' objects were made.

use std::rc::Rc;

use super::{NewFile, Proposal, Reconciler};
use crate::engine::finding::FamilyId;
use crate::engine::finding::{Finding, Found};
use crate::engine::protection::{Backup, Protected, Protection};
use crate::krm::object::{ItemIndex, ObjectKey};

/// One family's view of reconciliation.
pub struct Proposals<'p, 'r> {
    reconciler: &'p mut Reconciler<'r, 'r>,
    family: FamilyId,
}

impl<'p, 'r> Proposals<'p, 'r> {
    pub(super) fn new(reconciler: &'p mut Reconciler<'r, 'r>, family: FamilyId) -> Self {
        Proposals { reconciler, family }
    }

    /// Reports a finding, as this family's, concerning the target it works on (if any).
    pub fn report(&mut self, mut found: Found) -> &mut Found {
        found.family = Some(self.family);
        found.target = self.reconciler.recorder.current(self.family);
        let findings = &mut self.reconciler.findings;
        findings.push(found);
        let last = findings.len() - 1;
        &mut findings[last]
    }

    /// Reports `what` about the input object at `object`.
    pub fn found(&mut self, object: ItemIndex, what: impl Finding + 'static) -> &mut Found {
        self.report(Found::new(what).on(object))
    }

    /// Says which object the family works on (what may become a target: findings from now on
    /// concern it), or none (findings of the blueprints, of the input at large).
    pub fn consider(&mut self, subject: Option<ItemIndex>) {
        self.reconciler.recorder.consider(self.family, subject);
    }

    /// Counts one target: `subject`, the object the user annotated, and `objects`, those
    /// findings about it may name (for the summary and the preview). Findings reported from
    /// now on concern it.
    pub fn target(&mut self, subject: ItemIndex, objects: Vec<ItemIndex>) {
        self.reconciler
            .recorder
            .count(self.family, subject, objects);
    }

    /// Notes a fact about the target counted last (for a preview; nothing otherwise).
    pub fn detail(
        &mut self,
        blueprint: Option<&Rc<str>>,
        label: &'static str,
        value: impl FnOnce() -> String,
    ) {
        self.reconciler
            .recorder
            .detail(self.family, blueprint, label, value);
    }

    /// Notes that the target counted last names the blueprint at `blueprint`.
    pub fn uses(&mut self, blueprint: ItemIndex) {
        self.reconciler.recorder.uses(self.family, blueprint);
    }

    /// The file for new objects named `namespace/name` generated for the item at `beside`, when
    /// new objects get one (kpt).
    pub fn new_file(
        &mut self,
        beside: ItemIndex,
        prefix: &str,
        namespace: &str,
        name: &str,
    ) -> Option<NewFile> {
        let beside = &self.reconciler.objects[beside];
        self.reconciler
            .files
            .new_file(beside, prefix, namespace, name)
    }

    /// Puts one generated object in the output: new, or replacing (or keeping) our earlier
    /// one, unless another proposal already made it or a hand-written object is in its place.
    ///
    /// Whether the object reaches the output as proposed.
    pub fn propose(&mut self, proposal: Proposal<'_>) -> bool {
        self.reconciler.propose(self.family, proposal)
    }

    /// Whether the run wants to know what protects each subject: a family then describes each
    /// BackupConfiguration it writes ([`Proposals::protects`]).
    pub fn describing(&self) -> bool {
        self.reconciler.describe
    }

    /// Describes a BackupConfiguration the output holds (`key`) as protection of `subject`.
    pub fn protects(&mut self, subject: Protected, key: ObjectKey, protection: Protection) {
        debug_assert!(self.reconciler.describe, "described only when asked");
        self.reconciler.backups.push(Backup {
            family: self.family,
            subject,
            key,
            protection,
        });
    }
}
