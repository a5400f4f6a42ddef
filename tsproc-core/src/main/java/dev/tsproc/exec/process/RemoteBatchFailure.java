package dev.tsproc.exec.process;

/**
 * A batch failed inside a worker process: the job threw there. Carries the worker's error as
 * plain text — its class name, message and stack trace, each size-capped — since exceptions
 * do not cross process boundaries as objects.
 */
public final class RemoteBatchFailure extends RuntimeException {
    private static final long serialVersionUID = 1L;

    private final String errorClass;
    private final String errorMessage;
    private final String remoteTrace;

    RemoteBatchFailure(String errorClass, String errorMessage, String remoteTrace) {
        super(simpleName(errorClass) + (errorMessage.isEmpty() || errorMessage.equals("null") ? "" : " (" + errorMessage + ")"));
        this.errorClass = errorClass;
        this.errorMessage = errorMessage;
        this.remoteTrace = remoteTrace;
    }

    /** The binary name of the exception's class in the worker. */
    public String errorClass() {
        return errorClass;
    }

    /** The exception's message in the worker ("null" if it had none). */
    public String errorMessage() {
        return errorMessage;
    }

    /** The worker's stack trace as text, possibly cut. */
    public String remoteTrace() {
        return remoteTrace;
    }

    private static String simpleName(String className) {
        return className.substring(className.lastIndexOf('.') + 1);
    }
}
