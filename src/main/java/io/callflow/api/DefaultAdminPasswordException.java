package io.callflow.api;

/** The administrator would have the shipped default password on an HTTP server that others can reach. */
public class DefaultAdminPasswordException extends RuntimeException {

    private final String adminUser;
    private final String address;

    public DefaultAdminPasswordException(String adminUser, String address) {
        super("The administrator '" + adminUser + "' has the shipped default password and the HTTP server listens on "
                + address);
        this.adminUser = adminUser;
        this.address = address;
    }

    public String adminUser() {
        return adminUser;
    }

    public String address() {
        return address;
    }
}
