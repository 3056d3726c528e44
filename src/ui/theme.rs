//! Colours and spacing, in one place: token segments, verdict badges, severities.

use egui::Color32;

/// Colour of the JWT header segment.
pub fn header_colour(dark: bool) -> Color32 {
    if dark {
        Color32::from_rgb(0xff, 0x6b, 0x8b)
    } else {
        Color32::from_rgb(0xc0, 0x1f, 0x4a)
    }
}

/// Colour of the JWT payload segment.
pub fn payload_colour(dark: bool) -> Color32 {
    if dark {
        Color32::from_rgb(0xc7, 0x8b, 0xff)
    } else {
        Color32::from_rgb(0x7a, 0x2f, 0xc9)
    }
}

/// Colour of the JWT signature segment.
pub fn signature_colour(dark: bool) -> Color32 {
    if dark {
        Color32::from_rgb(0x3d, 0xc8, 0xe8)
    } else {
        Color32::from_rgb(0x00, 0x7c, 0x9c)
    }
}

/// A passing check or a valid signature.
pub fn valid(dark: bool) -> Color32 {
    if dark {
        Color32::from_rgb(0x5c, 0xd6, 0x7a)
    } else {
        Color32::from_rgb(0x1b, 0x7f, 0x3b)
    }
}

/// A warning.
pub fn warning(dark: bool) -> Color32 {
    if dark {
        Color32::from_rgb(0xf0, 0xc0, 0x4c)
    } else {
        Color32::from_rgb(0x9a, 0x67, 0x00)
    }
}

/// An error or failing check.
pub fn error(dark: bool) -> Color32 {
    if dark {
        Color32::from_rgb(0xff, 0x70, 0x70)
    } else {
        Color32::from_rgb(0xb3, 0x1d, 0x1d)
    }
}

/// Secondary text (explanations, skipped checks).
pub fn muted(dark: bool) -> Color32 {
    if dark {
        Color32::from_gray(0xa0)
    } else {
        Color32::from_gray(0x60)
    }
}

/// Space between sections.
pub const SECTION_GAP: f32 = 10.0;

/// Width of the navigation panel.
pub const NAV_WIDTH: f32 = 150.0;

/// The Encode form's algorithm menu: tall enough for all twelve algorithms without scrolling.
pub const ALG_MENU_HEIGHT: f32 = 400.0;
