-- Where each registered phone can be reached: its contact and the address the REGISTER really came from (NAT).
CREATE TABLE sip_registration (
    sip_user    VARCHAR(64)              NOT NULL,
    contact     VARCHAR(500)             NOT NULL,
    expires_at  TIMESTAMP WITH TIME ZONE NOT NULL,
    source_host VARCHAR(64)              NOT NULL,
    source_port INTEGER                  NOT NULL,
    transport   VARCHAR(8)               NOT NULL,
    PRIMARY KEY (sip_user, contact)
);
