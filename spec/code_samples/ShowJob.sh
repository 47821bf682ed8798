curl -s http://127.0.0.1:8080/v1/$PROJECT_ID/jobs/$JOB_ID -H "X-Auth-Token: $TOKEN"
# {"status":"RUNNING","job_id":"...","entities":{"process_percent":0.4,...},...}
