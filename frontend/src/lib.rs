//! Open Welfare Bologna's views: pure functions from a view-model to
//! markup (maud), so they can be tested without a server.

pub mod views;
