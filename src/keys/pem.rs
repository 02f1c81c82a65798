//! PEM text: finding the blocks as OpenSSL 3.0 does, and choosing the key
//! among them.
#![forbid(unsafe_code)]

use super::asymmetric::AsymmetricKey;
use super::der::{self, Reader};
use super::error::{FileError, KeyError, PemBodyError, PemError, SshError};

/// One PEM block, found the way OpenSSL's PEM reader finds it.
struct PemBlock {
    label: String,
    /// RFC 1421 header lines after the `-----BEGIN` line.
    headers: bool,
    /// An RFC 1421 `Proc-Type: 4,ENCRYPTED` header.
    encrypted: bool,
    /// The decoded body, or why it could not be decoded.
    der: Result<Vec<u8>, PemBodyError>,
}

/// Every PEM block in `text`, located line by line as OpenSSL 3.0's
/// `PEM_read_bio` does: a line that starts with `-----BEGIN ` and ends with
/// `-----` (trailing blanks and CR ignored) opens a block, optional RFC 1421
/// headers follow up to a blank line, then base64 lines of any width up to
/// `-----END <same label>-----`; every other line is text around the blocks.
///
/// Written here because neither maintained crate fits: `pem-rfc7468` is the
/// strict one-block grammar (no text around, 64-column lines), and `pem`
/// matches a regular expression over the whole text, so it reads what
/// OpenSSL refuses (a one-line PEM, an indented `-----BEGIN`, a blank line
/// taken for the end of headers) and fails the whole file when one block is
/// damaged. The base64 is decoded by `base64ct` (constant time).
fn pem_blocks(text: &[u8]) -> Vec<PemBlock> {
    let mut lines = text.split(|&b| b == b'\n').map(<[u8]>::trim_ascii_end);
    let mut blocks = Vec::new();
    while let Some(line) = lines.next() {
        let Some(label) = line
            .strip_prefix(b"-----BEGIN ")
            .and_then(|rest| rest.strip_suffix(b"-----"))
        else {
            continue;
        };
        let label = String::from_utf8_lossy(label).into_owned();
        let end = format!("-----END {label}-----");
        let mut body = Vec::new();
        let mut headers = false;
        let mut encrypted = false;
        let mut in_headers = false;
        let mut problem = Some(PemBodyError::NoEnd {
            label: label.clone(),
        });
        for (n, line) in lines.by_ref().enumerate() {
            if line.starts_with(b"-----END ") {
                problem = (line != end.as_bytes()).then(|| PemBodyError::EndMismatch {
                    label: label.clone(),
                });
                break;
            }
            if n == 0 && line.contains(&b':') {
                in_headers = true;
                headers = true;
            }
            if in_headers {
                if line.is_empty() {
                    in_headers = false;
                } else if line.starts_with(b"Proc-Type:")
                    && memchr::memmem::find(line, b"ENCRYPTED").is_some()
                {
                    encrypted = true;
                }
                continue;
            }
            if line.is_empty() {
                // OpenSSL stops at a blank line inside the base64 too.
                body.clear();
                problem = Some(PemBodyError::BlankLine);
                for rest in lines.by_ref() {
                    if rest.starts_with(b"-----END ") {
                        break;
                    }
                }
                break;
            }
            body.extend_from_slice(line);
        }
        let der = match problem {
            Some(p) => Err(p),
            None => {
                use base64ct::Encoding;
                std::str::from_utf8(&body)
                    .ok()
                    .and_then(|b| base64ct::Base64::decode_vec(b).ok())
                    .ok_or(PemBodyError::NotBase64)
            }
        };
        blocks.push(PemBlock {
            label,
            headers,
            encrypted,
            der,
        });
    }
    blocks
}

/// Read the key in PEM text with one or more blocks. The key is the one in
/// the file's key blocks (`PUBLIC KEY`, `RSA PUBLIC KEY`, `PRIVATE KEY`,
/// `RSA PRIVATE KEY`, `EC PRIVATE KEY`) and its first certificate (later
/// ones are a chain); blocks of other labels (`EC PARAMETERS`, ...) are
/// passed over. When it holds both a private key and its public key or
/// certificate, the private key is returned (it serves signing and
/// verifying). Refused, with the labels named: two different keys, a key
/// block that does not hold a usable key (a label contradicting its
/// content), an unreadable first certificate, an encrypted key, header
/// lines, a file with no key block.
pub(crate) fn pem_file(text: &[u8]) -> Result<AsymmetricKey, KeyError> {
    // COMPAT(key-formats): 3.0 raised a Lua error on a PEM with leading whitespace.
    // The contract's promise beyond OpenSSL: whitespace before -----BEGIN.
    let start = text.trim_ascii_start();
    let text = if start.starts_with(b"-----BEGIN") {
        start
    } else {
        text
    };
    let blocks = pem_blocks(text);
    let single = blocks.len() == 1;
    if blocks.is_empty() {
        return Err(PemError::NoBlock.into());
    }
    let mut found: Vec<(String, AsymmetricKey)> = Vec::new();
    let mut others: Vec<String> = Vec::new();
    let mut seen_certificate = false;
    for (i, block) in blocks.into_iter().enumerate() {
        let name = format!("'{}' (block {})", block.label, i + 1);
        let certificate_label = matches!(
            block.label.as_str(),
            "CERTIFICATE" | "X509 CERTIFICATE" | "TRUSTED CERTIFICATE"
        );
        let reader: Reader = match block.label.as_str() {
            "PUBLIC KEY" => der::spki,
            "RSA PUBLIC KEY" => der::rsa_public,
            "PRIVATE KEY" => der::pkcs8,
            "RSA PRIVATE KEY" => der::rsa_private_pkcs1,
            "EC PRIVATE KEY" => |bytes| der::sec1(bytes, None),
            _ if certificate_label => {
                if seen_certificate {
                    continue;
                }
                seen_certificate = true;
                // TRUSTED CERTIFICATE has OpenSSL's trust settings after it.
                |bytes| der::certificate(der::der_prefix(bytes).unwrap_or(bytes))
            }
            "ENCRYPTED PRIVATE KEY" => return Err(PemError::EncryptedPkcs8 { block: name }.into()),
            "OPENSSH PRIVATE KEY" => return Err(SshError::OpenSshPrivate.into()),
            _ => {
                others.push(format!("'{}'", block.label));
                continue;
            }
        };
        if block.encrypted {
            return Err(PemError::Encrypted { block: name }.into());
        }
        if block.headers {
            return Err(PemError::Headers { block: name }.into());
        }
        let body = block.der.map_err(|why| {
            if certificate_label {
                KeyError::Pem(PemError::CertificateBody {
                    block: name.clone(),
                    why,
                })
            } else {
                KeyError::Pem(PemError::Body {
                    block: name.clone(),
                    why,
                })
            }
        })?;
        let key = reader(&body).map_err(|why| {
            // A reason about a key that was read (its size, its algorithm)
            // stands alone in a one-block file, as before; a parser error
            // says which block it was about.
            if single && !why.is_malformed() {
                why
            } else if certificate_label {
                KeyError::Pem(PemError::CertificateNotKey {
                    block: name.clone(),
                    why: Box::new(why),
                })
            } else {
                KeyError::Pem(PemError::BlockNotKey {
                    block: name.clone(),
                    why: Box::new(why),
                })
            }
        })?;
        found.push((name, key));
    }
    let Some((first_name, first)) = found.first() else {
        return Err(KeyError::Pem(PemError::NoKey {
            labels: others.join(", "),
        }));
    };
    if let Some((other_name, _)) = found.iter().find(|(_, k)| k.public != first.public) {
        return Err(KeyError::File(FileError::TwoKeys {
            first: first_name.clone(),
            other: other_name.clone(),
        }));
    }
    let chosen = found.iter().position(|(_, k)| k.is_private()).unwrap_or(0);
    Ok(found.swap_remove(chosen).1)
}
