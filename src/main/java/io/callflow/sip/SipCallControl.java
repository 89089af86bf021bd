package io.callflow.sip;

import java.time.Duration;
import java.util.List;

import io.callflow.call.CallControl;
import io.callflow.call.CallId;
import io.callflow.call.HoldOutcome;
import io.callflow.call.LegId;

/** The platform's {@link CallControl}, carried out by the local B2BUA (the seam a remote node could implement). */
record SipCallControl(B2bua b2bua) implements CallControl {

    @Override
    public void answer(CallId callId) {
        b2bua.answer(callId);
    }

    @Override
    public void play(CallId callId, List<String> prompts, String language, boolean bargeIn) {
        b2bua.play(callId, prompts, language, bargeIn);
    }

    @Override
    public void playMusic(CallId callId, String musicClass) {
        b2bua.playMusic(callId, musicClass);
    }

    @Override
    public void collectDigits(CallId callId, DigitCollection spec) {
        b2bua.collectDigits(callId, spec);
    }

    @Override
    public void dialAgent(CallId callId, LegId legId, String agentAddress, Duration ringTimeout) {
        b2bua.dialAgent(callId, legId, agentAddress, ringTimeout);
    }

    @Override
    public void cancelAgentLeg(CallId callId, LegId legId) {
        b2bua.cancelAgentLeg(callId, legId);
    }

    @Override
    public void bridge(CallId callId, LegId agentLeg) {
        b2bua.bridge(callId, agentLeg);
    }

    @Override
    public void transfer(CallId callId, String target) {
        b2bua.transfer(callId, target);
    }

    @Override
    public void startRecording(CallId callId) {
        b2bua.startRecording(callId);
    }

    @Override
    public void stopRecording(CallId callId) {
        b2bua.stopRecording(callId);
    }

    @Override
    public void pauseRecording(CallId callId) {
        b2bua.pauseRecording(callId);
    }

    @Override
    public void resumeRecording(CallId callId) {
        b2bua.resumeRecording(callId);
    }

    @Override
    public void originate(CallId callId, LegId agentLeg, String agentAddress, String callerId,
            Duration ringTimeout) {
        b2bua.originate(callId, agentLeg, agentAddress, callerId, ringTimeout);
    }

    @Override
    public void dialOutbound(CallId callId, LegId legId, String number, Duration ringTimeout) {
        b2bua.dialOutbound(callId, legId, number, ringTimeout);
    }

    @Override
    public boolean canDialOut() {
        return b2bua.canDialOut();
    }

    @Override
    public void hangUp(CallId callId) {
        b2bua.hangUp(callId);
    }

    @Override
    public boolean isLive(CallId callId) {
        return b2bua.isLive(callId);
    }

    @Override
    public void dialTrunk(CallId callId, LegId legId, String trunk, String number, String callerId,
            Duration ringTimeout) {
        b2bua.dialTrunk(callId, legId, trunk, number, callerId, ringTimeout);
    }

    @Override
    public void reject(CallId callId, int status, String reason) {
        b2bua.reject(callId, status, reason);
    }

    @Override
    public void joinMix(CallId callId, LegId legId, String mixId, io.callflow.call.MixRole role, LegId whisperTo) {
        b2bua.joinMix(callId, legId, mixId, role, whisperTo);
    }

    @Override
    public HoldOutcome hold(CallId callId) {
        return b2bua.hold(callId);
    }

    @Override
    public HoldOutcome resume(CallId callId) {
        return b2bua.resume(callId);
    }

    @Override
    public void joinMix(CallId callId, LegId legId, String mixId, boolean talks) {
        b2bua.joinMix(callId, legId, mixId, talks);
    }

    @Override
    public void leaveMix(CallId callId, LegId legId) {
        b2bua.leaveMix(callId, legId);
    }

    @Override
    public void startRecordingAfter(CallId callId, String prompt, String language) {
        b2bua.startRecordingAfter(callId, prompt, language);
    }

    @Override
    public void completeReplacesTransfer(CallId callId, LegId transferorLeg, CallId consultCallId, LegId targetLeg) {
        b2bua.completeReplacesTransfer(callId, transferorLeg, consultCallId, targetLeg);
    }

    @Override
    public void refuseReplacesTransfer(CallId callId, String statusLine) {
        b2bua.refuseReplacesTransfer(callId, statusLine);
    }

    @Override
    public void originateToNumber(CallId callId, LegId legId, String number, String callerId,
            Duration ringTimeout) {
        b2bua.originateToNumber(callId, legId, number, callerId, ringTimeout);
    }
}
