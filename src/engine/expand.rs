//! Expanding blueprint values into generated objects: every string value (and key) goes through
//! `${…}` substitution, aliases are followed, and budgets keep a hostile blueprint from costing
//! more than an object Kubernetes could store.
//!
//! A value that substitution did not change is copied with its original spelling, so it means
//! what it meant in the blueprint (a plain `0777` stays a plain `0777`).

use std::borrow::Cow;
use std::collections::HashSet;

use granit_parser::ScalarStyle;

use super::envsubst::{self, Malformation, VarError};
use crate::yaml::emit::{Value, key_width};
use crate::yaml::tree::{Node, NodeId, TagText, Tree};

/// How many nodes one target's generated objects may copy, aliases expanded: an alias bomb in a
/// blueprint gives an error, not an exhausted machine.
const COPY_BUDGET: usize = 100_000;
/// How many bytes of text one target's objects may copy, aliases expanded: a long string behind
/// aliases would otherwise multiply into gigabytes. Kubernetes stores objects of at most 1.5 MiB
/// (etcd's request limit), and a target's Repository and BackupConfiguration are two.
const COPY_BYTES: usize = 3 << 20;
/// Deeper than any YAML the parser accepts, so only a self-referencing alias reaches it.
const MAX_DEPTH: usize = 600;

/// The variables a family offers to its blueprints.
pub trait Variables {
    /// The value of a variable, or `None` when there is no such variable.
    fn get(&self, name: &str) -> Option<String>;

    /// What to say about the unknown variable `name` (`the known ones are TARGET_NAME, …`).
    fn unknown(&self, name: &str) -> String;

    /// How to fix `${written}`, which the library cannot read because a character of `written`
    /// ends a name (`${target-name}`): the variable meant, or the annotation to rename. None
    /// when the family cannot tell.
    fn unreadable(&self, written: &str) -> Option<String>;
}

/// A problem found while copying from the blueprint.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct RenderError {
    /// Path of the field in the blueprint (`spec.backend.gcs.prefix`).
    pub field: String,
    pub message: String,
}

/// Copies blueprint subtrees into output trees, substituting variables.
pub struct Expander<'t, 'v, 'a> {
    tree: &'t Tree<'a>,
    vars: &'v dyn Variables,
    budget: usize,
    bytes_left: usize,
    depth: usize,
    /// Nodes already reported: aliases can reach one node through thousands of paths, and its
    /// problem is reported once, at the first.
    failed: HashSet<NodeId>,
    pub errors: Vec<RenderError>,
}

impl<'t, 'v, 'a> Expander<'t, 'v, 'a> {
    pub fn new(tree: &'t Tree<'a>, vars: &'v dyn Variables) -> Self {
        Expander {
            tree,
            vars,
            budget: COPY_BUDGET,
            bytes_left: COPY_BYTES,
            depth: 0,
            failed: HashSet::new(),
            errors: Vec::new(),
        }
    }

    /// Substitutes variables in one string, reporting errors against `field`.
    pub fn substitute<'s>(
        &mut self,
        text: &'s str,
        field: &dyn Fn() -> String,
    ) -> Option<Cow<'s, str>> {
        let vars = self.vars;
        match envsubst::substitute(text, &mut |name| vars.get(name)) {
            Ok(v) => Some(v),
            Err(e) => {
                let message = match &e {
                    VarError::Unknown { name } => format!(
                        "unknown variable ${{{name}}}; {} (write $${{...}} for a literal ${{...}})",
                        vars.unknown(name)
                    ),
                    VarError::Malformed { offset, why } => {
                        format!(
                            "{e} in {text:?}: {}",
                            malformed_hint(text, *offset, why, vars)
                        )
                    }
                    VarError::SliceBounds { .. } => format!(
                        "{e} in {text:?}: the operator gets nothing from this blueprint (a \
                         negative length does not count from the end as in bash)"
                    ),
                };
                self.errors.push(RenderError {
                    field: field(),
                    message,
                });
                None
            }
        }
    }

    /// Copies the subtree at `node`; `path` names it for error messages.
    pub fn copy(&mut self, node: NodeId, path: &str) -> Value<'t> {
        self.copy_at(node, &|out: &mut String| out.push_str(path))
    }

    fn fail(&mut self, node: NodeId, path: &dyn Fn(&mut String), message: String) {
        if !self.failed.insert(node) {
            return;
        }
        self.errors.push(RenderError {
            field: field_path(path),
            message,
        });
    }

    /// `path` writes the field's path; it is only called when there is an error to report.
    fn copy_at(&mut self, node: NodeId, path: &dyn Fn(&mut String)) -> Value<'t> {
        // After an error that stops the copy, nothing more is copied or reported.
        if self.budget == 0 {
            return Value::Map(Vec::new());
        }
        if self.depth >= MAX_DEPTH {
            self.fail(
                node,
                path,
                format!(
                    "values nest more than {MAX_DEPTH} deep here (an alias that contains itself?)"
                ),
            );
            self.budget = 0;
            return Value::Map(Vec::new());
        }
        self.budget -= 1;
        if self.budget == 0 {
            self.fail(
                node,
                path,
                format!(
                    "expanding YAML aliases here gives more than {COPY_BUDGET} values; write the value out"
                ),
            );
            return Value::Map(Vec::new());
        }
        let Some(id) = self.tree.resolve(node) else {
            self.fail(
                node,
                path,
                "alias refers to an anchor that is not defined before it".into(),
            );
            return Value::Map(Vec::new());
        };
        self.depth += 1;
        let out = self.copy_node(id, path);
        self.depth -= 1;
        out
    }

    fn copy_node(&mut self, id: NodeId, path: &dyn Fn(&mut String)) -> Value<'t> {
        let tree: &'t Tree<'a> = self.tree;
        match tree.get(id) {
            Node::Scalar { value, style, tag } => {
                self.copy_scalar(id, value, *style, tag.as_deref(), path)
            }
            Node::Seq { items } => Value::Seq(
                items
                    .iter()
                    .enumerate()
                    .map(|(i, item)| {
                        self.copy_at(*item, &|s: &mut String| {
                            path(s);
                            s.push_str(&format!("[{i}]"));
                        })
                    })
                    .collect(),
            ),
            Node::Map { entries } => Value::Map(
                entries
                    .iter()
                    .map(|(k, v)| self.copy_entry(*k, *v, path))
                    .collect(),
            ),
            Node::Alias { .. } => Value::Map(Vec::new()),
        }
    }

    /// A scalar, substituted. A plain one that substitution left alone stays plain, so it keeps
    /// the meaning it had in the blueprint.
    fn copy_scalar(
        &mut self,
        id: NodeId,
        value: &'t str,
        style: ScalarStyle,
        tag: Option<&TagText>,
        path: &dyn Fn(&mut String),
    ) -> Value<'t> {
        if self.failed.contains(&id) {
            return Value::Str(Cow::Borrowed(""));
        }
        let Some(text) = self.substitute(value, &|| field_path(path)) else {
            self.failed.insert(id);
            return Value::Str(Cow::Borrowed(""));
        };
        let Some(left) = self.bytes_left.checked_sub(text.len()) else {
            self.fail(
                id,
                path,
                format!(
                    "the text copied for this target comes to more than {} MiB here \
                     (aliases expanded), more than Kubernetes stores in an object; \
                     shorten the value or repeat it fewer times",
                    COPY_BYTES >> 20
                ),
            );
            self.budget = 0;
            return Value::Str(Cow::Borrowed(""));
        };
        self.bytes_left = left;
        let changed = matches!(text, Cow::Owned(_));
        match tag {
            Some(tag) if !tag.is_core_str() => Value::Tagged {
                tag: tag.render(),
                value: text,
                plain: style == ScalarStyle::Plain,
            },
            Some(_) => Value::Str(text),
            None if style == ScalarStyle::Plain && !changed => Value::Plain(text),
            None => Value::Str(text),
        }
    }

    /// One entry of a mapping. A key that no Kubernetes tool would read as it is written is
    /// reported, and its entry is left empty.
    fn copy_entry(
        &mut self,
        k: NodeId,
        v: NodeId,
        path: &dyn Fn(&mut String),
    ) -> (Value<'t>, Value<'t>) {
        let tree: &'t Tree<'a> = self.tree;
        let Some(key_text) = tree.scalar(k) else {
            // No generated field has one; the emitter only writes scalar keys.
            return self.reject_key(
                k,
                path,
                "a mapping or sequence used as a mapping key is not supported".into(),
            );
        };
        if tree.is_merge_key(k) {
            // Merge keys were applied when the mapping was read; one left means its value
            // could not be merged, and a literal `<<` key would mean something else to every
            // reader.
            return self.reject_key(
                k,
                path,
                "this merge key (`<<`) cannot be applied: its value must be a \
                 mapping or a list of mappings"
                    .into(),
            );
        }
        let here = |s: &mut String| {
            path(s);
            s.push('.');
            s.push_str(key_text);
        };
        let key = self.copy_at(k, &here);
        if key_width(&key) > 1000 {
            let what = if matches!(key, Value::Tagged { .. }) {
                "a mapping key longer than 1000 characters with its tag"
            } else {
                "a mapping key longer than 1000 characters"
            };
            return self.reject_key(
                k,
                path,
                format!(
                    "{what} cannot be written as a YAML key that Kubernetes tools read; shorten it"
                ),
            );
        }
        (key, self.copy_at(v, &here))
    }

    /// Reports a key that cannot be copied; its entry is left empty so that the copy goes on
    /// and finds the other problems in one run.
    fn reject_key(
        &mut self,
        key: NodeId,
        path: &dyn Fn(&mut String),
        message: String,
    ) -> (Value<'t>, Value<'t>) {
        self.fail(key, path, message);
        (Value::Str(Cow::Borrowed("")), Value::Map(Vec::new()))
    }
}

/// How to fix a `${` the library cannot parse; a name cut short by a character it refuses
/// (`${target-name}`) gets the family's suggestion.
fn malformed_hint(text: &str, offset: usize, why: &Malformation, vars: &dyn Variables) -> String {
    const SYNTAX: &str = "a variable is written ${NAME} (write $$ for a literal $)";
    match why {
        Malformation::NoClosingBrace {
            name,
            found: Some(c),
        } => {
            let written = envsubst::written_name(text, offset);
            let fix = vars.unreadable(written).unwrap_or_else(|| match c {
                '-' => format!("bash's `${{{name}-value}}` is written `${{{name}:-value}}` here"),
                _ => format!("name it `{}`", envsubst::readable(written)),
            });
            format!(
                "a variable name is made of letters, digits and `_`, so `{c}` ends the name \
                 `{name}` where a `}}` must follow; {fix}"
            )
        }
        Malformation::NoClosingBrace { name, found: None } => {
            format!("no `}}` closes `${{{name}`; {SYNTAX}")
        }
        Malformation::NoName { found: Some(c) } => format!(
            "a variable name is made of letters, digits and `_`, and `{c}` cannot start one; \
             {SYNTAX}"
        ),
        _ => SYNTAX.to_owned(),
    }
}

/// A field path for a message, cut short when an alias made it absurdly long.
fn field_path(path: &dyn Fn(&mut String)) -> String {
    let mut field = String::new();
    path(&mut field);
    if field.len() > 200 {
        let cut = (0..=200)
            .rev()
            .find(|i| field.is_char_boundary(*i))
            .unwrap_or(0);
        field.truncate(cut);
        field.push('…');
    }
    field
}

#[cfg(test)]
mod tests {
    use super::*;

    /// A family that knows one name meant: `${a-b}` is `${A_B}`.
    struct Fixed;

    impl Variables for Fixed {
        fn get(&self, _: &str) -> Option<String> {
            None
        }

        fn unknown(&self, name: &str) -> String {
            format!("no {name}")
        }

        fn unreadable(&self, written: &str) -> Option<String> {
            (written == "a-b").then(|| "write ${A_B}".to_owned())
        }
    }

    fn hint(text: &str) -> String {
        match envsubst::substitute(text, &mut |_| None) {
            Err(VarError::Malformed { offset, why }) => malformed_hint(text, offset, &why, &Fixed),
            other => panic!("{text}: {other:?}"),
        }
    }

    #[test]
    fn a_malformed_value_says_how_to_fix_it() {
        let ends = "a variable name is made of letters, digits and `_`, so";
        assert_eq!(
            hint("x ${a-b}"),
            format!("{ends} `-` ends the name `a` where a `}}` must follow; write ${{A_B}}")
        );
        assert_eq!(
            hint("${TIER-daily}"),
            format!(
                "{ends} `-` ends the name `TIER` where a `}}` must follow; bash's \
                 `${{TIER-value}}` is written `${{TIER:-value}}` here"
            )
        );
        assert_eq!(
            hint("${my.var:-x}"),
            format!("{ends} `.` ends the name `my` where a `}}` must follow; name it `my_var`")
        );
        let syntax = "a variable is written ${NAME} (write $$ for a literal $)";
        assert_eq!(hint("${A"), format!("no `}}` closes `${{A`; {syntax}"));
        assert_eq!(
            hint("${ A}"),
            format!(
                "a variable name is made of letters, digits and `_`, and ` ` cannot start \
                 one; {syntax}"
            )
        );
        assert_eq!(hint("${A/x}"), syntax);
    }
}
