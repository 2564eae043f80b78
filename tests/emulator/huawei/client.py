"""Requests signed by Huawei's own SDK (huaweicloudsdkcore, a test-only dependency).

``sdk_signed_request`` builds the SdkRequest the SDK would and lets ``BasicCredentials.sign_request``
sign it: the tests of the emulator's gateway and of the collection's signer compare against it.
``SignedClient`` sends exactly such a signed request with ``requests``, so that what the emulator
checks is the SDK's signature; with ``token`` it sends ``X-Auth-Token`` instead and signs nothing.
"""

import json
import time
from urllib.parse import urlsplit

import requests
from huaweicloudsdkcore.auth.credentials import BasicCredentials
from huaweicloudsdkcore.sdk_request import SdkRequest


def sdk_signed_request(method, url, access_key, secret_key, project_id=None, security_token=None, query=(), headers=None,
                       body=None):
    """The request as huaweicloudsdkcore signs it: ``uri`` (its query as sent) and ``header_params`` go on the wire."""
    parts = urlsplit(url)
    credentials = BasicCredentials(access_key, secret_key, project_id)
    if security_token is not None:
        credentials.with_security_token(security_token)
    return credentials.sign_request(SdkRequest(method=method, schema=parts.scheme, host=parts.netloc, resource_path=parts.path or '/',
                                               query_params=list(query), header_params=dict(headers or {}), body=body))


class SignedClient:
    def __init__(self, base_url, access_key=None, secret_key=None, project_id=None, security_token=None, token=None):
        self.base_url = base_url.rstrip('/')
        self.access_key = access_key
        self.secret_key = secret_key
        self.project_id = project_id
        self.security_token = security_token
        self.token = token
        self.session = requests.Session()

    def request(self, method, path, params=None, json_body=None, data=None, headers=None, content_type=None,
                sdk_date=None, timeout=60):
        """Send one request; ``params`` a dict or a list of pairs; returns the ``requests`` response."""
        body = json.dumps(json_body).encode('utf-8') if json_body is not None else (data or b'')
        header_params = {'Content-Type': content_type or ('application/json;charset=utf-8' if json_body is not None else 'application/json')}
        header_params.update(headers or {})
        if sdk_date:
            header_params['X-Sdk-Date'] = sdk_date
        pairs = list(params.items()) if isinstance(params, dict) else list(params or [])
        if self.token is not None:
            header_params['X-Auth-Token'] = self.token
            if self.project_id:
                header_params['X-Project-Id'] = self.project_id
            return self.session.request(method, self.base_url + path, params=pairs, data=body, headers=header_params, timeout=timeout)
        url = f'{self.base_url}{path}'
        signed = sdk_signed_request(method, url, self.access_key, self.secret_key, self.project_id, self.security_token or None,
                                    query=pairs, headers=header_params, body=body)
        query = urlsplit(signed.uri).query
        if query:
            url += '?' + query
        return self.session.request(method, url, data=body, headers=dict(signed.header_params), timeout=timeout)

    def ok(self, method, path, expect=200, **kwargs):
        """The JSON body of a call that must succeed with ``expect``."""
        resp = self.request(method, path, **kwargs)
        assert resp.status_code == expect, f'{method} {path}: {resp.status_code} {resp.text}'
        return resp.json() if resp.content else None

    def wait_job(self, job_id, timeout=60, interval=0.05):
        """Poll the job until SUCCESS or FAIL and return it."""
        deadline = time.monotonic() + timeout
        while True:
            job = self.ok('GET', f'/v1/{self.project_id}/jobs/{job_id}')
            if job['status'] in ('SUCCESS', 'FAIL'):
                return job
            assert time.monotonic() < deadline, job
            time.sleep(interval)
