//! A small blocking HTTP/1.1 client for the procedure runner: one request per connection,
//! `Connection: close`, bodies by `Content-Length`, chunked or to the end, everything bounded.

use std::io::{BufRead, BufReader, Read, Write};
use std::net::{SocketAddr, TcpStream, ToSocketAddrs};
use std::time::Duration;

/// The largest response body read.
pub const BODY_LEN_MAX: u64 = 16 << 20;
/// The longest status or header line read.
const LINE_LEN_MAX: u64 = 8 << 10;
/// The most header lines read.
const HEADERS_MAX: usize = 100;
/// How long connecting, writing or a silence while reading may take.
pub const IO_TIMEOUT: Duration = Duration::from_secs(10);

/// Why a request got no usable response.
#[derive(Debug, thiserror::Error)]
pub enum HttpError {
    #[error("URL `{url}`: {reason}")]
    BadUrl { url: String, reason: String },
    #[error("connecting to {address}: {source}")]
    Connect { address: String, source: std::io::Error },
    #[error("{method} {path}: {source}")]
    Io { method: String, path: String, source: std::io::Error },
    #[error("{method} {path}: bad response: {reason}")]
    Malformed { method: String, path: String, reason: String },
}

/// A response: status and body.
#[derive(Debug, PartialEq, Eq)]
pub struct Response {
    pub status: u16,
    pub body: Vec<u8>,
}

/// Where the server is and how to authenticate.
pub struct Client {
    /// The `Host` header.
    host: String,
    addresses: Vec<SocketAddr>,
    /// The URL's path, without a trailing `/`, put before every request path.
    base_path: String,
    token: Option<String>,
    /// How long a silence while reading the response may last (`IO_TIMEOUT` unless raised).
    read_timeout: Duration,
}

impl Client {
    /// A client for `http://host[:port][/base]` (no TLS: put a proxy in front for HTTPS).
    pub fn new(url: &str, token: Option<String>) -> Result<Client, HttpError> {
        let bad = |reason: &str| HttpError::BadUrl { url: url.to_string(), reason: reason.to_string() };
        let rest = url.strip_prefix("http://").ok_or_else(|| bad("only http:// URLs are supported"))?;
        let (authority, base_path) = rest.split_at(rest.find('/').unwrap_or(rest.len()));
        if authority.is_empty() || authority.contains('@') {
            return Err(bad("expected http://host:port"));
        }
        let with_port = if authority.rsplit_once(':').is_some_and(|(_, port)| !port.contains(']')) {
            authority.to_string()
        } else {
            format!("{authority}:80")
        };
        let addresses: Vec<SocketAddr> = with_port
            .to_socket_addrs()
            .map_err(|error| bad(&format!("cannot resolve {with_port}: {error}")))?
            .collect();
        if addresses.is_empty() {
            return Err(bad(&format!("{with_port} resolves to no address")));
        }
        let base_path = base_path.trim_end_matches('/').to_string();
        Ok(Client { host: authority.to_string(), addresses, base_path, token, read_timeout: IO_TIMEOUT })
    }

    /// The same client, waiting up to `timeout` for the response: for requests the server
    /// answers only when long work is done (a promotion running a test gate).
    pub fn with_read_timeout(self, timeout: Duration) -> Client {
        Client { read_timeout: timeout, ..self }
    }

    /// Sends one request (with a JSON body when given) and reads the whole response.
    pub fn request(&self, method: &str, path: &str, json_body: Option<&[u8]>) -> Result<Response, HttpError> {
        let io = |source| HttpError::Io { method: method.to_string(), path: path.to_string(), source };
        let mut stream = self.connect()?;
        stream.set_read_timeout(Some(self.read_timeout)).map_err(io)?;
        stream.set_write_timeout(Some(IO_TIMEOUT)).map_err(io)?;
        let mut head = format!(
            "{method} {}{path} HTTP/1.1\r\nHost: {}\r\nConnection: close\r\nAccept: application/json\r\n",
            self.base_path, self.host
        );
        if let Some(token) = &self.token {
            head.push_str(&format!("Authorization: Bearer {token}\r\n"));
        }
        if let Some(body) = json_body {
            head.push_str(&format!("Content-Type: application/json\r\nContent-Length: {}\r\n", body.len()));
        }
        head.push_str("\r\n");
        let mut request = head.into_bytes();
        request.extend_from_slice(json_body.unwrap_or_default());
        stream.write_all(&request).map_err(io)?;
        read_response(&mut BufReader::new(stream)).map_err(|error| match error {
            ReadError::Io(source) => io(source),
            ReadError::Malformed(reason) => {
                HttpError::Malformed { method: method.to_string(), path: path.to_string(), reason }
            }
        })
    }

    fn connect(&self) -> Result<TcpStream, HttpError> {
        let mut last = None;
        for address in &self.addresses {
            match TcpStream::connect_timeout(address, IO_TIMEOUT) {
                Ok(stream) => return Ok(stream),
                Err(error) => last = Some((address, error)),
            }
        }
        let (address, source) = last.expect("a client has at least one address (checked in `new`)");
        Err(HttpError::Connect { address: address.to_string(), source })
    }
}

/// Why a response could not be read.
#[derive(Debug)]
pub enum ReadError {
    Io(std::io::Error),
    Malformed(String),
}

impl From<std::io::Error> for ReadError {
    fn from(error: std::io::Error) -> Self {
        ReadError::Io(error)
    }
}

/// Reads one response (skipping `1xx` interim ones) from a connection the server will close.
pub fn read_response(reader: &mut impl BufRead) -> Result<Response, ReadError> {
    loop {
        let status_line = line(reader)?;
        let status = parse_status(&status_line)?;
        let mut content_length = None;
        let mut chunked = false;
        for _ in 0..=HEADERS_MAX {
            let header = line(reader)?;
            if header.is_empty() {
                break;
            }
            let (name, value) =
                header.split_once(':').ok_or_else(|| ReadError::Malformed(format!("header line `{header}`")))?;
            let (name, value) = (name.trim().to_ascii_lowercase(), value.trim());
            if name == "content-length" {
                let length =
                    value.parse::<u64>().map_err(|_| ReadError::Malformed(format!("Content-Length `{value}`")))?;
                content_length = Some(length);
            } else if name == "transfer-encoding" {
                chunked = value.to_ascii_lowercase().split(',').any(|coding| coding.trim() == "chunked");
            }
        }
        if (100..200).contains(&status) {
            continue;
        }
        let body = if chunked {
            read_chunked(reader)?
        } else if let Some(length) = content_length {
            if length > BODY_LEN_MAX {
                return Err(ReadError::Malformed(format!("a body of {length} bytes, more than {BODY_LEN_MAX}")));
            }
            let mut body = vec![0; length as usize];
            reader.read_exact(&mut body).map_err(|error| match error.kind() {
                std::io::ErrorKind::UnexpectedEof => {
                    ReadError::Malformed(format!("the connection closed before the {length}-byte body ended"))
                }
                _ => ReadError::Io(error),
            })?;
            body
        } else {
            read_bounded(reader, BODY_LEN_MAX)?
        };
        return Ok(Response { status, body });
    }
}

fn parse_status(status_line: &str) -> Result<u16, ReadError> {
    let mut words = status_line.split(' ');
    let version = words.next().unwrap_or("");
    let code = words.next().and_then(|code| code.parse::<u16>().ok());
    match code {
        Some(code) if version.starts_with("HTTP/1.") && (100..600).contains(&code) => Ok(code),
        _ => Err(ReadError::Malformed(format!("status line `{status_line}`"))),
    }
}

/// One CRLF- (or LF-) terminated line, without its terminator.
fn line(reader: &mut impl BufRead) -> Result<String, ReadError> {
    let mut bytes = Vec::new();
    reader.take(LINE_LEN_MAX + 2).read_until(b'\n', &mut bytes)?;
    if bytes.last() != Some(&b'\n') {
        return Err(ReadError::Malformed(match bytes.len() as u64 {
            0 => "the connection closed before a complete response".to_string(),
            n if n > LINE_LEN_MAX => format!("a line longer than {LINE_LEN_MAX} bytes"),
            _ => "the connection closed in the middle of a line".to_string(),
        }));
    }
    bytes.pop();
    if bytes.last() == Some(&b'\r') {
        bytes.pop();
    }
    String::from_utf8(bytes).map_err(|_| ReadError::Malformed("a header line that is not UTF-8".to_string()))
}

fn read_chunked(reader: &mut impl BufRead) -> Result<Vec<u8>, ReadError> {
    let mut body = Vec::new();
    loop {
        let size_line = line(reader)?;
        let size_text = size_line.split(';').next().unwrap_or("").trim();
        let size = u64::from_str_radix(size_text, 16)
            .map_err(|_| ReadError::Malformed(format!("chunk size `{size_line}`")))?;
        if size == 0 {
            // Trailer fields, up to the empty line.
            while !line(reader)?.is_empty() {}
            return Ok(body);
        }
        if body.len() as u64 + size > BODY_LEN_MAX {
            return Err(ReadError::Malformed(format!("a chunked body of more than {BODY_LEN_MAX} bytes")));
        }
        let start = body.len();
        body.resize(start + size as usize, 0);
        reader.read_exact(&mut body[start..])?;
        if !line(reader)?.is_empty() {
            return Err(ReadError::Malformed("no CRLF after a chunk".to_string()));
        }
    }
}

fn read_bounded(reader: &mut impl BufRead, limit: u64) -> Result<Vec<u8>, ReadError> {
    let mut body = Vec::new();
    reader.take(limit + 1).read_to_end(&mut body)?;
    if body.len() as u64 > limit {
        return Err(ReadError::Malformed(format!("a body of more than {limit} bytes")));
    }
    Ok(body)
}

/// Percent-encodes a path segment or query value (keeps `/` in query values readable).
pub fn encode(text: &str, keep_slash: bool) -> String {
    let mut encoded = String::with_capacity(text.len());
    for byte in text.bytes() {
        match byte {
            b'A'..=b'Z' | b'a'..=b'z' | b'0'..=b'9' | b'-' | b'.' | b'_' | b'~' => encoded.push(byte as char),
            b'/' if keep_slash => encoded.push('/'),
            _ => encoded.push_str(&format!("%{byte:02X}")),
        }
    }
    encoded
}
