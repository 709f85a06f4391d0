//! What the data tables share: the row of column heads.

use maud::{html, Markup};

/// The `thead` of a table: the `text` columns, then the `numeric` ones
/// (right-aligned, class `num`), each a column header.
pub(crate) fn column_heads(text: &[&str], numeric: &[&str]) -> Markup {
    html! {
        thead { tr {
            @for head in text { th scope="col" { (head) } }
            @for head in numeric { th scope="col" class="num" { (head) } }
        } }
    }
}
