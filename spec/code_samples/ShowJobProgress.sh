curl -s http://127.0.0.1:8080/v1/cloudimages/job/$JOB_ID -H "X-Auth-Token: $TOKEN"
