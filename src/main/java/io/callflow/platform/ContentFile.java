package io.callflow.platform;

/**
 * One file of a content folder: its name relative to the folder, where it came from (for messages) and its bytes.
 */
public record ContentFile(String name, String origin, byte[] content) {
}
