/** Shared infrastructure every module may use: the editable content folders and database start-up checks. */
package io.callflow.platform;
