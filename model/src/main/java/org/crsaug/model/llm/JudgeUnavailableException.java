package org.crsaug.model.llm;

/**
 * The judge cannot work at all right now. Dead-lettering would wrongly condemn every following
 * context, so the scorer stops without committing and a restart resumes from the same offsets.
 */
public class JudgeUnavailableException extends RuntimeException {

    public JudgeUnavailableException(String message, Throwable cause) {
        super(message, cause);
    }
}
