package dev.vramplan.store;

/** The database cannot be opened, read or written; the message says which and why, for a user. */
public class StoreException extends RuntimeException {
    public StoreException(String message, Throwable cause) {
        super(message, cause);
    }

    public StoreException(String message) {
        super(message);
    }
}
