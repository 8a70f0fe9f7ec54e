//! The declared evidence paths as a tree of keys, built once when the policy
//! is compiled, so that an evidence reader can go from a JSON key straight
//! to a slot (or to the object that holds more fields) without building
//! strings or searching the field list.

use super::Field;

/// What a key of an evidence object stands for.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum PathEntry {
    /// A declared field: its slot.
    Field(usize),
    /// An object holding declared fields: its node in the tree.
    Object(usize),
}

/// One object of the evidence file as the policy declares it.
#[derive(Debug, Default, Clone)]
pub struct PathNode {
    /// The keys the policy declares in this object, in declaration order.
    pub keys: Vec<(Box<str>, PathEntry)>,
}

impl PathNode {
    /// What a key stands for, if the policy declares it here.
    pub fn entry(&self, key: &str) -> Option<PathEntry> {
        self.find(key).map(|(_, entry)| entry)
    }

    /// The key's place among `keys` and what it stands for, if the policy
    /// declares it here.
    pub fn find(&self, key: &str) -> Option<(usize, PathEntry)> {
        let index = self.keys.iter().position(|(name, _)| **name == *key)?;
        Some((index, self.keys[index].1))
    }
}

/// Every declared path; node 0 is the evidence file's top-level object.
#[derive(Debug, Clone)]
pub struct PathTree {
    /// The objects, the top level first.
    pub nodes: Vec<PathNode>,
    /// False when one key is declared both as a field and as an object
    /// holding fields (only the spanned reader can say what is wrong then),
    /// or when a key has a character JSON escapes.
    pub consistent: bool,
}

impl PathTree {
    /// The tree of the fields' paths; a field's slot is its index.
    pub fn new(fields: &[Field]) -> Self {
        let mut tree = PathTree {
            nodes: vec![PathNode::default()],
            consistent: true,
        };
        for (slot, field) in fields.iter().enumerate() {
            tree.insert(slot, &field.segments);
        }
        tree
    }

    fn insert(&mut self, slot: usize, segments: &[String]) {
        let Some((last, parents)) = segments.split_last() else {
            self.consistent = false;
            return;
        };
        // The fast reader matches a declared key byte for byte: one that
        // JSON would have to escape (the grammar allows none) leaves every
        // file to the spanned reader.
        let escaped =
            |segment: &String| segment.bytes().any(|b| b == b'"' || b == b'\\' || b < 0x20);
        if segments.iter().any(escaped) {
            self.consistent = false;
            return;
        }
        let mut node = 0;
        for segment in parents {
            node = match self.nodes[node].entry(segment) {
                Some(PathEntry::Object(inner)) => inner,
                Some(PathEntry::Field(_)) => {
                    self.consistent = false;
                    return;
                }
                None => {
                    let inner = self.nodes.len();
                    self.nodes.push(PathNode::default());
                    let entry = (segment.as_str().into(), PathEntry::Object(inner));
                    self.nodes[node].keys.push(entry);
                    inner
                }
            };
        }
        if self.nodes[node].entry(last).is_some() {
            self.consistent = false;
            return;
        }
        let entry = (last.as_str().into(), PathEntry::Field(slot));
        self.nodes[node].keys.push(entry);
    }
}
