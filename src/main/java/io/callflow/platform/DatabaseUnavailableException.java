package io.callflow.platform;

/** Callflow cannot open its database; carries which setting most likely needs fixing. */
public class DatabaseUnavailableException extends RuntimeException {

    private final String url;
    private final String settingToFix;

    public DatabaseUnavailableException(String url, String settingToFix, String reason, Throwable cause) {
        super(reason, cause);
        this.url = url;
        this.settingToFix = settingToFix;
    }

    public String url() {
        return url;
    }

    public String settingToFix() {
        return settingToFix;
    }
}
