//! TLS for xmpptap: the tap terminates the client's TLS with its own certificate and opens
//! its own TLS to the server, so both decrypted streams pass through the parser.
//!
//! [`Link`] is one TLS session over one blocking TCP socket, shared by the two threads of
//! a connection: the thread reading from that socket drives it ([`Link::read`]: raw
//! bytes in, handshake replies out, plaintext up) and the other thread writes plaintext
//! into it ([`Link::write`]). The rustls state is behind a mutex that is never held across
//! a blocking read.

use rustls::pki_types::pem::PemObject;
use rustls::pki_types::{CertificateDer, PrivateKeyDer, ServerName, UnixTime};
use rustls::{ClientConfig, Connection, DigitallySignedStruct, ServerConfig, SignatureScheme};
use std::io::{self, Read, Write};
use std::net::TcpStream;
use std::sync::atomic::{AtomicBool, AtomicU64, Ordering};
use std::sync::{Arc, Mutex};

/// Command-line TLS options.
#[derive(Default)]
pub struct TlsArgs {
    /// `--tls-name N` (repeatable): names of the generated certificate.
    pub names: Vec<String>,
    /// `--cert FILE --key FILE`: the tap's certificate chain and key (PEM) instead.
    pub cert: Option<String>,
    pub key: Option<String>,
    /// `--cert-out FILE`: where to write the tap's certificate (PEM), for clients to trust.
    pub cert_out: Option<String>,
    /// `--ca FILE`: trust anchors (PEM) for the server's certificate.
    pub ca: Option<String>,
    /// `--insecure`: accept any server certificate (signatures are still checked).
    pub insecure: bool,
    /// `--upstream-name N`: the server name to verify when the client's stream header did
    /// not say (direct TLS), default the first of `names` or `localhost`.
    pub upstream_name: Option<String>,
    /// `--direct-tls`: XEP-0368, TLS from the first byte on both legs.
    pub direct: bool,
}

impl TlsArgs {
    /// Whether any option asks for TLS.
    pub fn enabled(&self) -> bool {
        !self.names.is_empty()
            || self.cert.is_some()
            || self.cert_out.is_some()
            || self.ca.is_some()
            || self.insecure
            || self.direct
    }
}

/// The configurations made once at start.
pub struct Tls {
    server: Arc<ServerConfig>,
    client: Arc<ClientConfig>,
    /// Names in the certificate the tap presents.
    pub own_names: Vec<String>,
    pub default_upstream_name: String,
    pub direct: bool,
    pub verify: &'static str,
}

fn provider() -> Arc<rustls::crypto::CryptoProvider> {
    Arc::new(rustls::crypto::ring::default_provider())
}

fn read_pem_certs(path: &str) -> Result<Vec<CertificateDer<'static>>, String> {
    let certs: Result<Vec<_>, _> = CertificateDer::pem_file_iter(path)
        .map_err(|e| format!("{path}: {e}"))?
        .collect();
    let certs = certs.map_err(|e| format!("{path}: {e}"))?;
    if certs.is_empty() {
        return Err(format!("{path}: no certificate"));
    }
    Ok(certs)
}

impl Tls {
    /// Builds both configurations; writes `--cert-out`.
    pub fn new(a: &TlsArgs) -> Result<Tls, String> {
        let (certs, key, own_names) = match (&a.cert, &a.key) {
            (Some(c), Some(k)) => {
                let certs = read_pem_certs(c)?;
                let key = PrivateKeyDer::from_pem_file(k).map_err(|e| format!("{k}: {e}"))?;
                let names = cert_names(&certs[0]);
                (certs, key, names)
            }
            (None, None) => {
                let names = if a.names.is_empty() {
                    vec!["localhost".to_string()]
                } else {
                    a.names.clone()
                };
                let ck = rcgen::generate_simple_self_signed(names.clone())
                    .map_err(|e| format!("generating a certificate: {e}"))?;
                if let Some(out) = &a.cert_out {
                    std::fs::write(out, ck.cert.pem()).map_err(|e| format!("{out}: {e}"))?;
                }
                let key = PrivateKeyDer::Pkcs8(ck.key_pair.serialize_der().into());
                (vec![ck.cert.der().clone()], key, names)
            }
            _ => return Err("--cert and --key go together".into()),
        };
        if a.cert.is_some() {
            if let Some(out) = &a.cert_out {
                let pem = std::fs::read(a.cert.as_deref().unwrap_or_default())
                    .map_err(|e| format!("{e}"))?;
                std::fs::write(out, pem).map_err(|e| format!("{out}: {e}"))?;
            }
        }
        let server = ServerConfig::builder_with_provider(provider())
            .with_safe_default_protocol_versions()
            .map_err(|e| e.to_string())?
            .with_no_client_auth()
            .with_single_cert(certs, key)
            .map_err(|e| format!("the tap's certificate: {e}"))?;
        let builder = ClientConfig::builder_with_provider(provider())
            .with_safe_default_protocol_versions()
            .map_err(|e| e.to_string())?;
        let (client, verify) = if a.insecure {
            let v = Arc::new(AnyServerCert(provider()));
            (
                builder
                    .dangerous()
                    .with_custom_certificate_verifier(v)
                    .with_no_client_auth(),
                "insecure",
            )
        } else {
            let mut roots = rustls::RootCertStore::empty();
            let ca =
                a.ca.as_deref()
                    .ok_or("TLS to the server needs --ca FILE (or --insecure)")?;
            for c in read_pem_certs(ca)? {
                roots.add(c).map_err(|e| format!("{ca}: {e}"))?;
            }
            (
                builder.with_root_certificates(roots).with_no_client_auth(),
                "ca",
            )
        };
        let default_upstream_name = a
            .upstream_name
            .clone()
            .or_else(|| own_names.first().cloned())
            .unwrap_or_else(|| "localhost".into());
        Ok(Tls {
            server: Arc::new(server),
            client: Arc::new(client),
            own_names,
            default_upstream_name,
            direct: a.direct,
            verify,
        })
    }

    /// The two sessions of one connection: towards the client (the tap is the TLS
    /// server) and towards the server (the tap is the client, verifying `name`). The
    /// server side's ClientHello is written at once.
    pub fn links(
        &self,
        client: &TcpStream,
        server: &TcpStream,
        name: &str,
    ) -> Result<(Arc<Link>, Arc<Link>), String> {
        let sn = ServerName::try_from(name.to_string())
            .map_err(|e| format!("server name {name:?}: {e}"))?;
        let c =
            rustls::ServerConnection::new(Arc::clone(&self.server)).map_err(|e| e.to_string())?;
        let s = rustls::ClientConnection::new(Arc::clone(&self.client), sn)
            .map_err(|e| e.to_string())?;
        let to_client = Link::new(Connection::Server(c), client)?;
        let to_server = Link::new(Connection::Client(s), server)?;
        to_server.flush().map_err(|e| format!("ClientHello: {e}"))?;
        Ok((Arc::new(to_client), Arc::new(to_server)))
    }
}

/// DNS names of a certificate's subject alternative names.
pub fn cert_names(der: &CertificateDer<'_>) -> Vec<String> {
    match webpki::EndEntityCert::try_from(der) {
        Ok(c) => c.valid_dns_names().map(str::to_string).collect(),
        Err(_) => Vec::new(),
    }
}

/// What a finished handshake negotiated, for the log.
pub struct Negotiated {
    pub version: String,
    pub cipher: String,
    pub sni: Option<String>,
    pub peer_names: Option<Vec<String>>,
}

/// One TLS session over one TCP socket.
pub struct Link {
    conn: Mutex<Connection>,
    sock: TcpStream,
    /// TLS bytes read from / written to the socket.
    pub raw_in: AtomicU64,
    pub raw_out: AtomicU64,
    handshake_logged: AtomicBool,
}

impl Link {
    fn new(conn: Connection, sock: &TcpStream) -> Result<Link, String> {
        Ok(Link {
            conn: Mutex::new(conn),
            sock: sock.try_clone().map_err(|e| e.to_string())?,
            raw_in: AtomicU64::new(0),
            raw_out: AtomicU64::new(0),
            handshake_logged: AtomicBool::new(false),
        })
    }

    fn lock(&self) -> std::sync::MutexGuard<'_, Connection> {
        self.conn.lock().unwrap_or_else(|e| e.into_inner())
    }

    fn flush_locked(&self, c: &mut Connection) -> io::Result<()> {
        while c.wants_write() {
            let n = c.write_tls(&mut &self.sock)?;
            self.raw_out.fetch_add(n as u64, Ordering::Relaxed);
        }
        Ok(())
    }

    fn flush(&self) -> io::Result<()> {
        let mut c = self.lock();
        self.flush_locked(&mut c)
    }

    /// Plaintext into `buf`; 0 at the end (close_notify or TCP EOF). A TLS error is an
    /// `InvalidData` error whose message is rustls'. `on_handshake` is called once, when
    /// the handshake has completed.
    pub fn read(
        &self,
        buf: &mut [u8],
        on_handshake: &mut dyn FnMut(Negotiated),
    ) -> io::Result<usize> {
        let mut raw = [0u8; 16 * 1024];
        loop {
            {
                let mut c = self.lock();
                match c.reader().read(buf) {
                    Ok(n) => return Ok(n),
                    Err(e) if e.kind() == io::ErrorKind::WouldBlock => {}
                    Err(e) => return Err(e),
                }
            }
            let n = (&self.sock).read(&mut raw)?;
            if n == 0 {
                if self.lock().is_handshaking() {
                    // e.g. a client that rejected the tap's certificate and hung up
                    // without an alert
                    return Err(io::Error::new(
                        io::ErrorKind::InvalidData,
                        "connection closed during the TLS handshake (certificate refused?)",
                    ));
                }
                return Ok(0);
            }
            self.raw_in.fetch_add(n as u64, Ordering::Relaxed);
            let mut c = self.lock();
            let mut rd = &raw[..n];
            while !rd.is_empty() {
                c.read_tls(&mut rd)?;
                if let Err(e) = c.process_new_packets() {
                    // tell the peer why (the alert rustls queued), then fail
                    let _ = self.flush_locked(&mut c);
                    return Err(io::Error::new(io::ErrorKind::InvalidData, e.to_string()));
                }
            }
            self.flush_locked(&mut c)?;
            if !c.is_handshaking() && !self.handshake_logged.swap(true, Ordering::SeqCst) {
                on_handshake(negotiated(&c));
            }
        }
    }

    /// Encrypts and sends `data`.
    pub fn write(&self, data: &[u8]) -> io::Result<()> {
        let mut c = self.lock();
        c.writer().write_all(data)?;
        self.flush_locked(&mut c)
    }

    /// Sends close_notify (the socket's half-close is the caller's).
    pub fn close(&self) {
        let mut c = self.lock();
        c.send_close_notify();
        let _ = self.flush_locked(&mut c);
    }
}

fn negotiated(c: &Connection) -> Negotiated {
    let version = c
        .protocol_version()
        .map(|v| format!("{v:?}"))
        .unwrap_or_default();
    let cipher = c
        .negotiated_cipher_suite()
        .map(|s| format!("{:?}", s.suite()))
        .unwrap_or_default();
    let sni = match c {
        Connection::Server(s) => s.server_name().map(str::to_string),
        Connection::Client(_) => None,
    };
    let peer_names = c
        .peer_certificates()
        .and_then(|certs| certs.first())
        .map(cert_names);
    Negotiated {
        version,
        cipher,
        sni,
        peer_names,
    }
}

/// `--insecure`: any certificate for any name, but the handshake signatures are real.
#[derive(Debug)]
struct AnyServerCert(Arc<rustls::crypto::CryptoProvider>);

impl rustls::client::danger::ServerCertVerifier for AnyServerCert {
    fn verify_server_cert(
        &self,
        _end_entity: &CertificateDer<'_>,
        _intermediates: &[CertificateDer<'_>],
        _server_name: &ServerName<'_>,
        _ocsp: &[u8],
        _now: UnixTime,
    ) -> Result<rustls::client::danger::ServerCertVerified, rustls::Error> {
        Ok(rustls::client::danger::ServerCertVerified::assertion())
    }

    fn verify_tls12_signature(
        &self,
        message: &[u8],
        cert: &CertificateDer<'_>,
        dss: &DigitallySignedStruct,
    ) -> Result<rustls::client::danger::HandshakeSignatureValid, rustls::Error> {
        rustls::crypto::verify_tls12_signature(
            message,
            cert,
            dss,
            &self.0.signature_verification_algorithms,
        )
    }

    fn verify_tls13_signature(
        &self,
        message: &[u8],
        cert: &CertificateDer<'_>,
        dss: &DigitallySignedStruct,
    ) -> Result<rustls::client::danger::HandshakeSignatureValid, rustls::Error> {
        rustls::crypto::verify_tls13_signature(
            message,
            cert,
            dss,
            &self.0.signature_verification_algorithms,
        )
    }

    fn supported_verify_schemes(&self) -> Vec<SignatureScheme> {
        self.0.signature_verification_algorithms.supported_schemes()
    }
}
