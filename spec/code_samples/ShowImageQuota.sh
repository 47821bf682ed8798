curl -s http://127.0.0.1:8080/v1/cloudimages/quota -H "X-Auth-Token: $TOKEN"
# {"quotas":{"resources":[{"type":"image","used":3,"quota":10000,"min":1,"max":100000}]}}
