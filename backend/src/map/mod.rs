//! A map of the published data as a reader sees it: the reader's choices
//! and the view-model every map page, table, embed and download renders
//! (`view`), the class breaks and palettes (`classify`), and SVG -> PNG
//! (`render`).
//!
//! Pure: values in, values out (render reads the system fonts once). May
//! use: `official` (the snapshot and its numbers) and `lab` (the
//! annotations drawn as markers).

pub mod classify;
pub mod render;
pub mod view;
