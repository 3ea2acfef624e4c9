//! An export split over several QR codes, put together whatever order they are scanned in.

use super::{Batch, MAX_BATCH_SIZE};

/// Puts together a Google Authenticator export that was split over several QR codes, whatever
/// order they are scanned in. Pure: it only keeps what it is given.
///
/// The first batch fixes the export (its `batch_id` and `batch_size`). A batch already held
/// (same index) is ignored, so a webcam that sees the same code many times is fine. A batch of
/// **another export is refused**, keeping what was collected: a stray code (an old export on
/// paper, a second phone) must not throw away the codes already read. To start a new export,
/// call [`BatchCollector::clear`] (for example when the user says "start over", or after
/// [`BatchCollector::finish`]).
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct BatchCollector {
    /// One slot per QR code of the export; empty before the first batch.
    parts: Vec<Option<Batch>>,
    batch_id: i32,
}

/// What [`BatchCollector::add`] did with a batch.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Collected {
    /// A batch not held before.
    Added,
    /// A batch with an index already held; ignored.
    Duplicate,
}

/// A batch that does not belong with those collected; the collection is unchanged.
#[derive(Debug, thiserror::Error, Clone, PartialEq, Eq)]
pub enum CollectError {
    /// A batch of another export (another `batch_id`).
    #[error(
        "this QR code is from another Google Authenticator export; \
         {received} of the {expected} codes of the first one have been read"
    )]
    OtherExport {
        /// Codes of the first export read so far.
        received: usize,
        /// Codes the first export has.
        expected: u32,
    },
    /// `batch_index`/`batch_size` that cannot be (index not below size, size above
    /// [`MAX_BATCH_SIZE`]); [`super::parse`] never gives such a batch.
    #[error("this QR code says it is code {index} (counting from 0) of {size}, which cannot be")]
    BadBatchNumbers {
        /// The batch's index.
        index: u32,
        /// The batch's size.
        size: u32,
    },
    /// The same `batch_id` but another `batch_size`.
    #[error(
        "this QR code says its export has {found} codes, but the codes read before say {expected}"
    )]
    SizeMismatch {
        /// The size the collected batches have.
        expected: u32,
        /// The size this batch has.
        found: u32,
    },
}

impl BatchCollector {
    /// An empty collector.
    pub fn new() -> Self {
        Self::default()
    }

    /// Adds a batch; see the type's documentation for duplicates and other exports.
    pub fn add(&mut self, batch: Batch) -> Result<Collected, CollectError> {
        let size = batch.batch_size.max(1);
        if size > MAX_BATCH_SIZE || batch.batch_index >= size {
            return Err(CollectError::BadBatchNumbers {
                index: batch.batch_index,
                size: batch.batch_size,
            });
        }
        if self.parts.is_empty() {
            self.batch_id = batch.batch_id;
            self.parts = vec![None; size as usize];
        } else if batch.batch_id != self.batch_id {
            return Err(CollectError::OtherExport {
                received: self.received(),
                expected: self.parts.len() as u32,
            });
        } else if size as usize != self.parts.len() {
            return Err(CollectError::SizeMismatch {
                expected: self.parts.len() as u32,
                found: size,
            });
        }
        match self.parts.get_mut(batch.batch_index as usize) {
            Some(slot @ None) => {
                *slot = Some(batch);
                Ok(Collected::Added)
            }
            // Checked above: the index is below the size, which is the number of slots.
            Some(Some(_)) | None => Ok(Collected::Duplicate),
        }
    }

    /// True before the first batch.
    pub fn is_empty(&self) -> bool {
        self.parts.is_empty()
    }

    /// How many QR codes the export has, once a batch has been added.
    pub fn expected(&self) -> Option<u32> {
        (!self.parts.is_empty()).then_some(self.parts.len() as u32)
    }

    /// The export's `batch_id`, once a batch has been added.
    pub fn batch_id(&self) -> Option<i32> {
        (!self.parts.is_empty()).then_some(self.batch_id)
    }

    /// How many different QR codes of the export have been added.
    pub fn received(&self) -> usize {
        self.parts.iter().filter(|p| p.is_some()).count()
    }

    /// The `batch_index` (from 0) of every QR code still missing, in order; empty before the
    /// first batch and when complete. Show them to people as `index + 1`.
    pub fn missing(&self) -> Vec<u32> {
        (0u32..)
            .zip(&self.parts)
            .filter(|(_, p)| p.is_none())
            .map(|(i, _)| i)
            .collect()
    }

    /// True when every QR code of the export has been added.
    pub fn is_complete(&self) -> bool {
        !self.parts.is_empty() && self.parts.iter().all(Option::is_some)
    }

    /// The whole export as one batch once complete (accounts in QR code order; skipped entries
    /// numbered with their QR code when there are several; `batch_size` 1, `batch_index`
    /// 0, the export's `batch_id`); `None` while codes are missing.
    pub fn finish(&self) -> Option<Batch> {
        let parts: Vec<&Batch> = self
            .parts
            .iter()
            .map(Option::as_ref)
            .collect::<Option<_>>()?;
        if parts.is_empty() {
            return None;
        }
        let count = parts.len();
        let mut whole = Batch {
            accounts: Vec::new(),
            skipped: Vec::new(),
            batch_size: 1,
            batch_index: 0,
            batch_id: self.batch_id,
        };
        for (n, part) in parts.into_iter().enumerate() {
            whole.accounts.extend(part.accounts.iter().cloned());
            whole.skipped.extend(part.skipped.iter().map(|skipped| {
                let mut skipped = skipped.clone();
                if count > 1 {
                    skipped.qr_code = Some((n + 1, count));
                }
                skipped
            }));
        }
        Some(whole)
    }

    /// Forgets everything, to start on another export.
    pub fn clear(&mut self) {
        *self = Self::default();
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::otp::migration::{EntryProblem, SkippedEntry, encode_batches};
    use crate::otp::{OtpUri, Params, Secret};

    fn account(issuer: &str, label: &str, n: u8) -> OtpUri {
        OtpUri {
            issuer: Some(issuer.to_owned()),
            label: label.to_owned(),
            secret: Secret::from_bytes(vec![n; 20]),
            params: Params::default(),
        }
    }

    /// The batches of an export of `count` accounts split over QR codes of `per_qr`.
    fn export(count: u8, per_qr: usize) -> (Vec<OtpUri>, Vec<Batch>) {
        let accounts: Vec<OtpUri> = (0..count)
            .map(|n| account("Svc", &format!("user{n}"), n))
            .collect();
        let batches = encode_batches(&accounts, per_qr)
            .iter()
            .map(|link| super::super::parse(link).expect("an export link"))
            .collect();
        (accounts, batches)
    }

    #[test]
    fn collector_puts_a_split_export_together_in_any_order() {
        let (accounts, batches) = export(25, 10);
        assert_eq!(batches.len(), 3);
        let mut collector = BatchCollector::new();
        assert!(collector.is_empty() && !collector.is_complete());
        assert_eq!(collector.missing(), Vec::<u32>::new());
        assert_eq!(collector.finish(), None);

        assert_eq!(collector.add(batches[2].clone()), Ok(Collected::Added));
        assert_eq!(collector.expected(), Some(3));
        assert_eq!(collector.batch_id(), Some(batches[0].batch_id));
        assert_eq!(collector.missing(), [0, 1]);
        assert_eq!(collector.finish(), None);

        assert_eq!(collector.add(batches[0].clone()), Ok(Collected::Added));
        // The same code seen again (a webcam sees it many times): ignored.
        assert_eq!(collector.add(batches[0].clone()), Ok(Collected::Duplicate));
        assert_eq!(collector.received(), 2);
        assert_eq!(collector.missing(), [1]);
        assert!(!collector.is_complete());

        assert_eq!(collector.add(batches[1].clone()), Ok(Collected::Added));
        assert!(collector.is_complete());
        assert_eq!(collector.missing(), Vec::<u32>::new());
        let whole = collector.finish();
        assert_eq!(whole.as_ref().map(|w| &w.accounts), Some(&accounts));
        assert_eq!(
            whole.map(|w| (w.batch_size, w.batch_index, w.batch_id)),
            Some((1, 0, batches[0].batch_id))
        );
    }

    #[test]
    fn collector_refuses_another_export_and_keeps_what_it_has() {
        let (_, first) = export(25, 10);
        let (other_accounts, mut other) = export(5, 10);
        // Make sure the ids differ (they are random).
        other[0].batch_id = first[0].batch_id.wrapping_add(1);
        let mut collector = BatchCollector::new();
        assert_eq!(collector.add(first[1].clone()), Ok(Collected::Added));
        assert_eq!(
            collector.add(other[0].clone()),
            Err(CollectError::OtherExport {
                received: 1,
                expected: 3
            })
        );
        assert_eq!(collector.missing(), [0, 2]);
        // Same id, another size: inconsistent.
        let mut odd = first[0].clone();
        odd.batch_size = 4;
        assert_eq!(
            collector.add(odd),
            Err(CollectError::SizeMismatch {
                expected: 3,
                found: 4
            })
        );
        // A hand-made batch with impossible numbers.
        let mut bad = first[0].clone();
        bad.batch_index = 3;
        assert_eq!(
            collector.add(bad),
            Err(CollectError::BadBatchNumbers { index: 3, size: 3 })
        );
        let mut huge = first[0].clone();
        huge.batch_size = u32::MAX;
        assert!(collector.add(huge).is_err());
        assert_eq!(collector.received(), 1);

        // Starting over takes the other export; a single-code export is complete at once.
        collector.clear();
        assert!(collector.is_empty());
        assert_eq!(collector.add(other[0].clone()), Ok(Collected::Added));
        assert!(collector.is_complete());
        assert_eq!(collector.finish().map(|w| w.accounts), Some(other_accounts));
    }

    #[test]
    fn collector_numbers_skip_reasons_by_code() {
        let (_, mut batches) = export(3, 2);
        batches[1].skipped.push(SkippedEntry {
            qr_code: None,
            number: 2,
            issuer: "X".into(),
            label: "y".into(),
            problem: EntryProblem::Md5,
        });
        let mut collector = BatchCollector::new();
        for batch in batches {
            assert_eq!(collector.add(batch), Ok(Collected::Added));
        }
        let skipped = collector.finish().map(|w| w.skipped);
        let numbered = skipped.as_deref().and_then(|s| s.first());
        assert_eq!(
            numbered.map(|s| (s.qr_code, s.number, s.problem.clone())),
            Some((Some((2, 2)), 2, EntryProblem::Md5))
        );
    }
}
