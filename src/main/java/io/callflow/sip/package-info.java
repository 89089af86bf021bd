/** SIP signalling on JAIN-SIP: registrar with digest authentication, trunk ingress and B2BUA call legs. */
package io.callflow.sip;
