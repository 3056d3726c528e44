//! Small reusable widgets: the coloured token, copy buttons, badges, labelled fields, readable times.

pub mod a11y;
pub mod fields;
pub mod time;
pub mod token_view;
