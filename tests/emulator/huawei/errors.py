"""Huawei's error bodies (IMS, API Gateway, Workspace ListImages / ListImageServers) as one exception."""

import uuid


def request_id():
    return uuid.uuid4().hex


class HuaweiError(Exception):
    """An error answer.  ``shape``: ``ims`` = ``{"error": {"code", "message"}}`` (IMS service errors),
    ``gateway`` = ``{"error_code", "error_msg", "request_id"}`` (API gateway, IAM project look-up),
    ``workspace`` = the gateway shape plus ``error_detail`` and ``encoded_authorization_message`` (ListImages),
    ``keystone`` = ``{"error": {"code": <status>, "message", "title"}}`` (IAM token login)."""

    def __init__(self, code, message, status=400, shape='ims'):
        super().__init__(f'{code}: {message}')
        self.code = code
        self.message = message
        self.status = status
        self.shape = shape

    def body(self, req_id):
        if self.shape == 'ims':
            return {'error': {'code': self.code, 'message': self.message}}
        if self.shape == 'keystone':
            return {'error': {'code': self.status, 'message': self.message, 'title': self.code}}
        body = {'error_code': self.code, 'error_msg': self.message, 'request_id': req_id}
        if self.shape == 'workspace':
            body.update(error_detail='', encoded_authorization_message='')
        return body


def img(code, message, status=400):
    """An IMS business error (shape 1), HTTP 400 unless told."""
    return HuaweiError(code, message, status)


def gateway(code, message, status):
    return HuaweiError(code, message, status, shape='gateway')


def not_found_path(method, path):
    return gateway('APIGW.0101', f'The API does not exist or has not been published in the environment: {method} {path}', 404)
