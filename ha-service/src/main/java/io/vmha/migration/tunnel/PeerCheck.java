package io.vmha.migration.tunnel;

import io.netty.handler.ssl.SslHandler;
import io.vmha.pki.Certificates;

import javax.net.ssl.SSLPeerUnverifiedException;
import javax.net.ssl.SSLSession;
import java.security.cert.Certificate;
import java.security.cert.X509Certificate;
import java.util.List;

/**
 * What the tunnel checks after the TLS handshake, on both sides: the chain to the pool CA was verified by the handshake;
 * here, the negotiated protocol and suite (BoringSSL does not let TLS 1.3 suites be restricted, so this is where AES-GCM
 * is enforced) and the names the peer's certificate carries.
 */
final class PeerCheck {
    /** A connection that must be closed; the message is the reason written to the journal. */
    static final class Refused extends Exception {
        Refused(String reason) {
            super(reason);
        }
    }

    private PeerCheck() {}

    /** The names (SAN DNS names, then CN) of the verified peer certificate. */
    static List<String> peerNames(SslHandler ssl) throws Refused {
        SSLSession session = ssl.engine().getSession();
        if (!TunnelTls.PROTOCOLS.contains(session.getProtocol())) {
            throw new Refused("negotiated " + session.getProtocol() + "; only " + TunnelTls.PROTOCOLS + " is accepted");
        }
        if (!TunnelTls.CIPHERS.contains(session.getCipherSuite())) {
            throw new Refused("negotiated cipher suite " + session.getCipherSuite() + "; only " + TunnelTls.CIPHERS + " are accepted");
        }
        Certificate[] chain;
        try {
            chain = session.getPeerCertificates();
        } catch (SSLPeerUnverifiedException e) {
            throw new Refused("the peer presented no verified certificate");
        }
        if (chain.length == 0 || !(chain[0] instanceof X509Certificate)) throw new Refused("the peer presented no X.509 certificate");
        List<String> names = Certificates.names((X509Certificate) chain[0]);
        if (names.isEmpty()) throw new Refused("the peer certificate names no host (no SAN DNS name, no CN)");
        return names;
    }

    /** Throws unless {@code host} is among {@code names} and a current member of the pool. */
    static void requireMember(List<String> names, String host, Membership members, String role) throws Refused {
        if (!names.contains(host)) throw new Refused(role + " certificate names " + names + ", not the expected host " + host);
        boolean member;
        try {
            member = members.isMember(host);
        } catch (RuntimeException e) {
            throw new Refused("cannot tell whether " + host + " is a pool member (" + e + ")");
        }
        if (!member) throw new Refused(role + " " + host + " is not a current member of the pool");
    }

    /** The first of {@code names} that is a current member, for a peer whose expected name is not known yet. */
    static String firstMember(List<String> names, Membership members) throws Refused {
        for (String name : names) {
            try {
                if (members.isMember(name)) return name;
            } catch (RuntimeException e) {
                throw new Refused("cannot tell whether " + name + " is a pool member (" + e + ")");
            }
        }
        throw new Refused("peer certificate names " + names + ": none is a current member of the pool");
    }
}
