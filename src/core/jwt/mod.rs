//! JSON Web Tokens: decode (never verifies), explain, find problems, verify as a checklist, diff, report.

pub mod analysis;
pub mod claims;
pub mod decode;
pub mod diff;
pub mod findings;
pub mod input;
pub mod key;
pub mod key_cache;
pub mod object;
pub mod report;
pub mod report_json;
pub mod sas;
pub mod scan;
pub mod select;
pub mod thumbprint;
pub mod time;
pub mod verify;

pub use analysis::{Analysis, analyse};
pub use decode::{DecodedJwt, SegmentError, SegmentPart};
pub use input::{Inspection, inspect};
pub use verify::{Check, CheckStatus, Expectations, SignatureStatus, Verdict};
