//! The clipboard for secrets. A copied value is marked so clipboard managers leave it out of their history
//! (where the platform has such a mark), and is cleared after a while if the clipboard still holds it. Calls
//! block on the display server: run them off the UI thread.

use crate::core::secret::SecretString;
use std::time::Duration;
use zeroize::Zeroizing;

/// How long a copied secret stays on the clipboard.
pub const CLEAR_AFTER: Duration = Duration::from_secs(30);

/// Puts `value` on the clipboard and returns once it is there. A background thread keeps the clipboard
/// connection alive (on X11 the owner must stay to answer pastes) and, after `clear_after`, clears the
/// clipboard if it still holds `value`: something copied since is the user's and is left alone.
pub fn copy_secret(value: SecretString, clear_after: Duration) -> Result<(), String> {
    let mut clipboard = arboard::Clipboard::new().map_err(unavailable)?;
    set_private_text(&mut clipboard, value.expose()).map_err(unavailable)?;
    std::thread::Builder::new()
        .name("tokenbench-clipboard".to_owned())
        .spawn(move || clear_later(clipboard, &value, clear_after))
        .map(drop)
        .map_err(|e| format!("the clipboard could not be scheduled for clearing ({e}): copy something else over it"))
}

fn unavailable(error: arboard::Error) -> String {
    format!("the clipboard is unavailable ({error}): reveal the value and select it instead")
}

/// Waits, then clears the clipboard if it still holds `value` (compare, then clear).
fn clear_later(mut clipboard: arboard::Clipboard, value: &SecretString, after: Duration) {
    std::thread::sleep(after);
    let current = clipboard.get_text().map(Zeroizing::new);
    if current.is_ok_and(|text| text.as_str() == value.expose())
        && let Err(e) = clipboard.clear()
    {
        tracing::warn!("a copied secret could not be cleared from the clipboard: {e}");
    }
}

/// Sets text with the platform's "not for history" mark (`x-kde-passwordManagerHint` on Linux).
#[cfg(all(unix, not(any(target_os = "macos", target_os = "android", target_os = "emscripten"))))]
fn set_private_text(clipboard: &mut arboard::Clipboard, text: &str) -> Result<(), arboard::Error> {
    use arboard::SetExtLinux;
    clipboard.set().exclude_from_history().text(text)
}

#[cfg(target_os = "macos")]
fn set_private_text(clipboard: &mut arboard::Clipboard, text: &str) -> Result<(), arboard::Error> {
    use arboard::SetExtApple;
    clipboard.set().exclude_from_history().text(text)
}

#[cfg(windows)]
fn set_private_text(clipboard: &mut arboard::Clipboard, text: &str) -> Result<(), arboard::Error> {
    use arboard::SetExtWindows;
    clipboard.set().exclude_from_history().exclude_from_cloud().text(text)
}

#[cfg(any(target_os = "android", target_os = "emscripten", not(any(unix, windows))))]
fn set_private_text(clipboard: &mut arboard::Clipboard, text: &str) -> Result<(), arboard::Error> {
    clipboard.set_text(text)
}
