//! Reader for `shared/xmlconf/manifest.tsv`: one row per `<TEST>` of the W3C XML
//! conformance suite, columns named by the header row (see the suite's README.md).

use std::collections::HashMap;

/// The manifest: column names from the header row and one [`Row`] per test.
pub struct Manifest {
    columns: HashMap<String, usize>,
    rows: Vec<Vec<String>>,
}

/// One test of the manifest; fields are read by column name.
pub struct Row<'m> {
    manifest: &'m Manifest,
    fields: &'m [String],
}

impl Manifest {
    /// Parses the tab-separated text (no quoting: fields never hold tabs or newlines).
    /// Panics on an empty file, a duplicate column name or a row whose field count
    /// differs from the header's, so a damaged manifest cannot silently drop tests.
    pub fn parse(text: &str) -> Manifest {
        let mut lines = text.lines().filter(|l| !l.is_empty());
        let header = lines.next().expect("manifest.tsv is empty");
        let mut columns = HashMap::new();
        for (i, name) in header.split('\t').enumerate() {
            let clash = columns.insert(name.to_string(), i);
            assert!(clash.is_none(), "duplicate manifest column {name:?}");
        }
        let rows = lines
            .enumerate()
            .map(|(n, line)| {
                let fields: Vec<String> = line.split('\t').map(str::to_string).collect();
                assert_eq!(
                    fields.len(),
                    columns.len(),
                    "manifest.tsv line {}: {} fields, header has {}",
                    n + 2,
                    fields.len(),
                    columns.len()
                );
                fields
            })
            .collect();
        Manifest { columns, rows }
    }

    /// The tests, in catalog order.
    pub fn rows(&self) -> impl Iterator<Item = Row<'_>> {
        self.rows.iter().map(move |fields| Row {
            manifest: self,
            fields,
        })
    }
}

impl<'m> Row<'m> {
    /// The field of column `name`. Panics if the manifest has no such column.
    pub fn get(&self, name: &str) -> &'m str {
        let i = *self
            .manifest
            .columns
            .get(name)
            .unwrap_or_else(|| panic!("manifest.tsv has no column {name:?}"));
        &self.fields[i]
    }
}
