package dev.vramplan.answer;

/**
 * A question about stored plans that has no answer: no plan stored yet, or nothing stored matches ids that are
 * known. The command line exits 3 with the message; the server answers 404.
 */
public final class NotFound extends RuntimeException {
    public NotFound(String message) {
        super(message);
    }
}
