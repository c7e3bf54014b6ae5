//! Kubernetes label selectors (`matchLabels` and `matchExpressions`): read once, matched as the
//! API server matches them. A family's usage policies select namespaces with them, backup
//! policies select subjects.

use super::fields::{Fields, Problem};

/// A label selector: all of `match_labels` and `expressions` must hold (an empty selector
/// selects everything).
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct LabelSelector {
    pub match_labels: Vec<(String, String)>,
    pub expressions: Vec<Expression>,
}

/// One of `matchExpressions`.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Expression {
    pub key: String,
    pub operator: Operator,
    pub values: Vec<String>,
}

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Operator {
    In,
    NotIn,
    Exists,
    DoesNotExist,
}

impl LabelSelector {
    /// Whether `labels` satisfy it, as Kubernetes reads a selector: `NotIn` and
    /// `DoesNotExist` hold for a label that is not there.
    pub fn matches(&self, labels: &[(String, String)]) -> bool {
        let get = |key: &str| labels.iter().find(|(k, _)| k == key).map(|(_, v)| v);
        let labels_hold = self
            .match_labels
            .iter()
            .all(|(key, value)| get(key) == Some(value));
        labels_hold
            && self.expressions.iter().all(|e| {
                let value = get(&e.key);
                match e.operator {
                    Operator::In => value.is_some_and(|v| e.values.contains(v)),
                    Operator::NotIn => value.is_none_or(|v| !e.values.contains(v)),
                    Operator::Exists => value.is_some(),
                    Operator::DoesNotExist => value.is_none(),
                }
            })
    }
}

/// Reads the selector at `reader` (a mapping), reporting each problem at its field; `None` when
/// there was one (what a selector with a mistake selects is not what was meant). Keys a
/// selector does not have are the caller's to judge.
pub fn read(reader: &Fields<'_, '_>) -> Option<LabelSelector> {
    let mut selector = LabelSelector::default();
    let tree = reader.tree();
    // A key of the wrong shape is reported by the readers below, which then read nothing.
    let mut ok = reader
        .node("matchLabels")
        .is_none_or(|n| tree.entries(n).is_some())
        && reader
            .node("matchExpressions")
            .is_none_or(|n| tree.items(n).is_some());
    if let Some(labels) = reader.mapping("matchLabels") {
        for (key, value) in labels.entries() {
            let tree = labels.tree();
            match (tree.scalar(*key), tree.scalar(*value)) {
                (Some(k), Some(v)) => selector.match_labels.push((k.to_owned(), v.to_owned())),
                _ => {
                    labels.report_here(Problem::Expected("a mapping of label names to values"));
                    ok = false;
                }
            }
        }
    }
    for item in reader.list("matchExpressions").unwrap_or_default() {
        match expression(&item) {
            Some(expression) => selector.expressions.push(expression),
            None => ok = false,
        }
    }
    ok.then_some(selector)
}

fn expression(item: &Fields<'_, '_>) -> Option<Expression> {
    if item.tree().entries(item.id()).is_none() {
        item.report_here(Problem::Expected("a mapping with key, operator and values"));
        return None;
    }
    let key = item.string(
        "key",
        Problem::Custom("a match expression needs a key".into()),
    );
    let operator = match item.optional_string("operator") {
        Some("In") => Some(Operator::In),
        Some("NotIn") => Some(Operator::NotIn),
        Some("Exists") => Some(Operator::Exists),
        Some("DoesNotExist") => Some(Operator::DoesNotExist),
        other => {
            let value = other.unwrap_or_default().to_owned();
            let allowed = vec!["In", "NotIn", "Exists", "DoesNotExist"];
            item.report("operator", Problem::NotOneOf { value, allowed });
            None
        }
    };
    let mut values = Vec::new();
    let mut ok = true;
    for value in item.list("values").unwrap_or_default() {
        match value.own_text() {
            Some(text) => values.push(text.to_owned()),
            None => {
                value.report_here(Problem::NotString);
                ok = false;
            }
        }
    }
    let operator = operator?;
    // `LabelSelectorAsSelector` refuses both.
    let wants_values = matches!(operator, Operator::In | Operator::NotIn);
    if wants_values == values.is_empty() {
        let message = match wants_values {
            true => "In and NotIn need at least one value",
            false => "Exists and DoesNotExist take no values",
        };
        item.report("values", Problem::Custom(message.into()));
        return None;
    }
    Some(Expression {
        key: key?.to_owned(),
        operator,
        values,
    })
    .filter(|_| ok)
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::engine::fields::Problems;

    fn selector(text: &str) -> Result<LabelSelector, Vec<String>> {
        let (tree, root) = crate::yaml::events::capture_first(text).unwrap();
        let problems = Problems::default();
        let read = read(&Fields::new(&tree, root.unwrap(), "s", &problems));
        let problems: Vec<String> = problems
            .into_vec()
            .iter()
            .map(|p| format!("{}: {p}", p.field))
            .collect();
        match problems.is_empty() {
            true => Ok(read.expect("a selector when nothing is wrong")),
            false => {
                assert!(read.is_none(), "{text}");
                Err(problems)
            }
        }
    }

    #[test]
    fn selectors_hold_as_kubernetes_reads_them() {
        let labels = |pairs: &[(&str, &str)]| -> Vec<(String, String)> {
            pairs
                .iter()
                .map(|(k, v)| ((*k).to_owned(), (*v).to_owned()))
                .collect()
        };
        let gold = labels(&[("tier", "gold"), ("app", "shop")]);
        let none = labels(&[]);
        for (text, on_gold, on_none) in [
            ("{}", true, true),
            ("{matchLabels: {tier: gold}}", true, false),
            ("{matchLabels: {tier: silver}}", false, false),
            (
                "{matchExpressions: [{key: tier, operator: In, values: [gold, x]}]}",
                true,
                false,
            ),
            (
                "{matchExpressions: [{key: tier, operator: NotIn, values: [gold]}]}",
                false,
                true,
            ),
            (
                "{matchExpressions: [{key: tier, operator: Exists}]}",
                true,
                false,
            ),
            (
                "{matchExpressions: [{key: tier, operator: DoesNotExist}]}",
                false,
                true,
            ),
            (
                "{matchLabels: {app: shop}, matchExpressions: [{key: tier, operator: In, values: [x]}]}",
                false,
                false,
            ),
        ] {
            let s = selector(text).unwrap();
            assert_eq!(s.matches(&gold), on_gold, "{text} on gold");
            assert_eq!(s.matches(&none), on_none, "{text} on no labels");
        }
    }

    #[test]
    fn every_mistake_is_named_at_its_field() {
        for (text, wanted) in [
            (
                "{matchLabels: {a: [b]}}",
                "s.matchLabels: s.matchLabels must be a mapping of label names to values",
            ),
            (
                "{matchLabels: [a]}",
                "s.matchLabels: s.matchLabels must be a mapping",
            ),
            (
                "{matchExpressions: [{key: a, operator: In}]}",
                "s.matchExpressions[0].values: In and NotIn need at least one value",
            ),
            (
                "{matchExpressions: [{key: a, operator: Exists, values: [b]}]}",
                "s.matchExpressions[0].values: Exists and DoesNotExist take no values",
            ),
            (
                "{matchExpressions: [{key: a, operator: in}]}",
                "s.matchExpressions[0].operator: s.matchExpressions[0].operator must be `In`, `NotIn`, `Exists` or `DoesNotExist`, not `in`",
            ),
            (
                "{matchExpressions: [{operator: Exists}]}",
                "s.matchExpressions[0].key: a match expression needs a key",
            ),
            (
                "{matchExpressions: [a]}",
                "s.matchExpressions[0]: s.matchExpressions[0] must be a mapping with key",
            ),
            (
                "{matchExpressions: [{key: a, operator: In, values: [[b]]}]}",
                "s.matchExpressions[0].values[0]: s.matchExpressions[0].values[0] must be a string",
            ),
        ] {
            let problems = selector(text).expect_err(text);
            assert!(
                problems.iter().any(|p| p.starts_with(wanted)),
                "{text}: {problems:?}"
            );
        }
    }
}
