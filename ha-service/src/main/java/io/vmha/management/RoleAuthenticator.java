package io.vmha.management;

import com.sun.net.httpserver.BasicAuthenticator;
import com.sun.net.httpserver.HttpExchange;

/**
 * HTTP Basic authentication against the two roles (Jolokia's {@code authClass}). Remembers the role of the
 * request for {@link RoleRestrictor}; a missing or wrong password gets 401.
 */
public final class RoleAuthenticator extends BasicAuthenticator {
    private final RoleAccess access;

    public RoleAuthenticator() {
        super("vmha");
        this.access = RoleAccess.constructed();
    }

    @Override public Result authenticate(HttpExchange exchange) {
        RoleAccess.serving(null); // a pooled thread must not keep the previous request's role
        return super.authenticate(exchange);
    }

    @Override public boolean checkCredentials(String user, String password) {
        RoleAccess.Role role = access.check(user, password);
        RoleAccess.serving(role);
        return role != null;
    }
}
