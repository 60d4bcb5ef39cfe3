package io.vmha.management;

import javax.management.ObjectName;
import org.jolokia.server.core.service.api.Restrictor;
import org.jolokia.server.core.util.HttpMethod;
import org.jolokia.server.core.util.RequestType;

/**
 * Jolokia's {@code restrictorClass}: every check goes to the policy of the authenticated role of this request.
 * On top of any policy, exec and write reach only vmha's own MBeans ({@code vmha:*}): a Jolokia policy's
 * {@code <allow>} section does not exclude what it does not list, and a {@code <deny>} on other domains would
 * also hide their attributes, so the rule is enforced here and the policy files can only narrow it.
 */
public final class RoleRestrictor implements Restrictor {
    public RoleRestrictor() {
        RoleAccess.constructed(); // refuse to exist outside JolokiaEndpoint
    }

    @Override public boolean isHttpMethodAllowed(HttpMethod method) { return RoleAccess.policy().isHttpMethodAllowed(method); }

    @Override public boolean isTypeAllowed(RequestType type) { return RoleAccess.policy().isTypeAllowed(type); }

    @Override public boolean isAttributeReadAllowed(ObjectName name, String attribute) {
        return RoleAccess.policy().isAttributeReadAllowed(name, attribute);
    }

    @Override public boolean isAttributeWriteAllowed(ObjectName name, String attribute) {
        return vmha(name) && RoleAccess.policy().isAttributeWriteAllowed(name, attribute);
    }

    @Override public boolean isOperationAllowed(ObjectName name, String operation) {
        return vmha(name) && RoleAccess.policy().isOperationAllowed(name, operation);
    }

    private static boolean vmha(ObjectName name) {
        return name != null && !name.isDomainPattern() && io.vmha.jmx.VmhaObjectNames.DOMAIN.equals(name.getDomain());
    }

    @Override public boolean isRemoteAccessAllowed(String... hostOrAddress) {
        return RoleAccess.policy().isRemoteAccessAllowed(hostOrAddress);
    }

    @Override public boolean isOriginAllowed(String origin, boolean strictCheck) {
        return RoleAccess.policy().isOriginAllowed(origin, strictCheck);
    }

    @Override public boolean isObjectNameHidden(ObjectName name) { return RoleAccess.policy().isObjectNameHidden(name); }
}
