//! Writing an export directory atomically: temporary files beside the targets, renamed into
//! place only after they were read back and verified.

use std::io::Write;
use std::path::{Path, PathBuf};

use tempfile::NamedTempFile;

use crate::export::error::ExportError;

/// A file written to a temporary name in the export directory, removed when dropped unless
/// it was moved into place.
pub(crate) struct StagedFile {
    file: NamedTempFile,
    target: PathBuf,
}

impl StagedFile {
    /// Writes `bytes` to a new temporary file in `dir` that will become `dir/name`.
    pub(crate) fn write(dir: &Path, name: &str, bytes: &[u8]) -> Result<StagedFile, ExportError> {
        let target = dir.join(name);
        let io_error = |e: std::io::Error| ExportError::Io {
            path: target.display().to_string(),
            message: e.to_string(),
        };
        let prefix = format!(".{name}.");
        let mut builder = tempfile::Builder::new();
        builder.prefix(&prefix).suffix(".tmp");
        // Temporary files are private by default; an export is meant to be shared, so it gets
        // the usual mode of a new file (0644, narrowed by the process's umask).
        #[cfg(unix)]
        builder.permissions(std::os::unix::fs::PermissionsExt::from_mode(0o644));
        let mut file = builder.tempfile_in(dir).map_err(io_error)?;
        file.write_all(bytes).map_err(io_error)?;
        file.as_file().sync_all().map_err(io_error)?;
        Ok(StagedFile { file, target })
    }

    /// Replaces the staged contents with `bytes`.
    pub(crate) fn rewrite(&mut self, bytes: &[u8]) -> Result<(), ExportError> {
        let io_error = |e: std::io::Error| ExportError::Io {
            path: self.target.display().to_string(),
            message: e.to_string(),
        };
        let file = self.file.as_file_mut();
        file.set_len(0).map_err(io_error)?;
        std::io::Seek::rewind(file).map_err(io_error)?;
        file.write_all(bytes).map_err(io_error)?;
        file.sync_all().map_err(io_error)
    }

    /// Returns the temporary path.
    pub(crate) fn path(&self) -> &Path {
        self.file.path()
    }
}

/// Moves staged files into place in order. If a rename fails, the files already moved and
/// any older file at the remaining targets are removed, so no mix of two exports remains.
pub(crate) fn commit(files: Vec<StagedFile>) -> Result<(), ExportError> {
    let targets: Vec<PathBuf> = files.iter().map(|f| f.target.clone()).collect();
    for staged in files {
        let target = staged.target.clone();
        if let Err(e) = staged.file.persist(&target) {
            for path in &targets {
                // Best effort: the error below is the one to report.
                let _ = std::fs::remove_file(path);
            }
            return Err(ExportError::Io {
                path: target.display().to_string(),
                message: e.error.to_string(),
            });
        }
    }
    Ok(())
}

/// Creates `dir` and its parents if they are missing.
pub(crate) fn create_dir(dir: &Path) -> Result<(), ExportError> {
    if dir.exists() && !dir.is_dir() {
        return Err(ExportError::Io {
            path: dir.display().to_string(),
            message: "exists and is not a directory".into(),
        });
    }
    std::fs::create_dir_all(dir).map_err(|e| ExportError::Io {
        path: dir.display().to_string(),
        message: e.to_string(),
    })
}
