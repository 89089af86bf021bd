/** RTP media on Netty: endpoints, relay bridge, prompts, DTMF, recording and mixing. */
package io.callflow.media;
