//! Small reusable widgets: the coloured token, copy buttons, badges, labelled fields.

pub mod fields;
pub mod token_view;
