package dev.vramplan.store;

/** A command that reads plans named a database that does not exist; nothing was created. */
public final class MissingDatabaseException extends StoreException {
    MissingDatabaseException(String message) {
        super(message);
    }
}
